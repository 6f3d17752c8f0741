"""The service checklist: categories and their items."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assistants.choices import Specialty

from ..querysets import CatalogueQuerySet


class ServiceCategory(models.Model):
    """One of the checklist's categories (服务清单大类)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class ServiceItem(models.Model):
    """One item of the service checklist, with its deadlines."""

    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="items", verbose_name=_("category")
    )
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=60)
    specialty = models.CharField(_("specialty"), max_length=10, choices=Specialty.choices)
    description = models.TextField(_("description"), blank=True)
    target_days = models.PositiveSmallIntegerField(
        _("target days to resolve"),
        validators=[MinValueValidator(1)],
        help_text=_("Working days from intake to resolution."),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("days until follow-up"),
        validators=[MinValueValidator(1)],
        help_text=_("Days after resolution when the return visit is due."),
    )
    is_financial = models.BooleanField(
        _("financial product"),
        default=False,
        help_text=_("Cases of this item record an amount, e.g. a relocation loan."),
    )
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["category__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "name"],
                name="serviceitem_unique_name_per_category",
                violation_error_message=_("This category already has an item with this name."),
            ),
            models.CheckConstraint(
                condition=Q(target_days__gte=1), name="serviceitem_target_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(follow_up_days__gte=1), name="serviceitem_follow_up_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(specialty__in=Specialty.values), name="serviceitem_specialty_valid"
            ),
        ]

    def __str__(self):
        return self.name
