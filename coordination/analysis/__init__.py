"""The flagging engines as pure Python: no ORM inside, plain records in, findings out."""
