"""Template filters for the formatting layer (``common.formatting``): ``{% load tansiq_format %}``.

    {{ value|num }}  {{ value|num:1 }}  {{ share|pct }}  {{ share|pct:1 }}  {{ amount|money:"EUR" }}
    {{ amount|usd }}  {{ day|day }}  {{ moment|moment }}  {{ day|month }}  {{ start|period:end }}
    {{ value|compact }}

Each formats in the active language; none of them marks its output safe (Django escapes it as usual).
"""

from django import template

from common import formatting

register = template.Library()


@register.filter
def num(value, decimals=0):
    return formatting.number_format(value, int(decimals))


@register.filter
def compact(value):
    return formatting.compact_number_format(value)


@register.filter
def pct(share, decimals=0):
    return formatting.percent_format(share, int(decimals))


@register.filter
def money(amount, currency="USD"):
    return formatting.money_format(amount, currency or "")


@register.filter
def usd(amount):
    return formatting.money_format(amount, "USD")


@register.filter
def day(value):
    return formatting.date_format(value)


@register.filter
def month(value):
    return formatting.month_format(value)


@register.filter
def moment(value):
    return formatting.datetime_format(value)


@register.filter
def period(start, end):
    return formatting.period_format(start, end)


@register.filter
def filesize(value):
    return formatting.filesize_format(value)
