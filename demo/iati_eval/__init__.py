"""An independent evaluation set for the duplicate engine: another author's view of the data, not the
demo generator's. Several publishers (donors and the agencies that implement for them) each publish
their own record of shared activities in IATI 2.03 files, with labelled true pairs by class and hard
negatives; ``bench_duplicates_iati`` imports the files through the real importer and scores the
engine against the labels."""
