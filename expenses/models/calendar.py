"""The statutory working-day calendar: one row per announced year, its holidays and make-up days.

A year with a `CalendarYear` row is covered: its listed days are holidays (off) or make-up
working days, every other day follows Monday–Friday. A year without a row is not covered,
and any deadline in it is an error (never a Monday–Friday guess). Years the
`chinesecalendar` library knows are seeded automatically; an administrator enters the next
year from the State Council notice when it is published.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    class Source(models.TextChoices):
        LIBRARY = "library", _("chinesecalendar library")
        ADMIN = "admin", _("Entered by an administrator")

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    source = models.CharField(_("source"), max_length=16, choices=Source.choices,
                              default=Source.ADMIN)
    notice = models.CharField(_("State Council notice"), max_length=200, blank=True,
                              help_text=_("The notice the holidays were taken from."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("working-day calendar year")
        verbose_name_plural = _("working-day calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from Monday–Friday (a holiday, or a make-up working weekend day)."""

    calendar_year = models.ForeignKey(CalendarYear, verbose_name=_("year"),
                                      on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("holiday"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"

    def clean(self) -> None:
        if self.date and self.calendar_year_id and self.date.year != self.calendar_year.year:
            raise ValidationError({"date": _("This day is not in the year it is listed under.")})
