"""Core domain shared by every module: organisation units, people, and the base of the
one-row settings models."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.text import capfirst
from mptt.models import MPTTModel, TreeForeignKey
from simple_history.models import HistoricalRecords

from pmf import access
from pmf.access import OrgUnitQuerySet, UserQuerySet


class OrgUnit(MPTTModel):
    """A node of the organisation: group > organisation > directorate > service > team,
    with area > office > patch for landlords that manage housing by place."""

    class Kind(models.TextChoices):
        GROUP = "group", "Group"
        ORGANISATION = "organisation", "Organisation"
        DIRECTORATE = "directorate", "Directorate"
        SERVICE = "service", "Service"
        TEAM = "team", "Team"
        AREA = "area", "Area"
        OFFICE = "office", "Office"
        PATCH = "patch", "Patch"

    # Which kinds may sit directly under which; None means "at the top of a tree".
    ALLOWED_PARENTS = {
        Kind.GROUP: {None},
        Kind.ORGANISATION: {None, Kind.GROUP},
        Kind.DIRECTORATE: {Kind.ORGANISATION},
        Kind.SERVICE: {Kind.DIRECTORATE},
        Kind.TEAM: {Kind.SERVICE},
        Kind.AREA: {Kind.GROUP, Kind.ORGANISATION, Kind.DIRECTORATE},
        Kind.OFFICE: {Kind.AREA},
        Kind.PATCH: {Kind.OFFICE},
    }

    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=40, unique=True, help_text="Short unique code, e.g. MH-REP.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = TreeForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    active = models.BooleanField(default=True)

    history = HistoricalRecords(excluded_fields=["lft", "rght", "tree_id", "level"])
    objects = OrgUnitQuerySet.as_manager()

    class MPTTMeta:
        order_insertion_by = ["name"]

    class Meta:
        verbose_name = "organisation unit"
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="orgunit_unique_name_in_parent")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("orgunit-detail", kwargs={"pk": self.pk})

    def clean(self):
        parent_kind = self.parent.kind if self.parent_id else None
        allowed = self.ALLOWED_PARENTS.get(self.kind, set())
        if parent_kind not in allowed:
            where = f"under a {self.parent.get_kind_display().lower()}" if self.parent_id else "at the top"
            raise ValidationError({"parent": f"A {self.get_kind_display().lower()} cannot sit {where}."})
        if self.pk and self.parent_id:
            if self.parent_id == self.pk or self.parent.is_descendant_of(self):
                raise ValidationError({"parent": "A unit cannot be moved under itself or one of its own units."})


class PmfUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin (performance team)"
        MANAGER = "manager", "Manager"
        UPDATER = "updater", "Updater"
        VIEWER = "viewer", "Viewer"

    first_name = None
    last_name = None
    name = models.CharField("full name", max_length=150)
    email = models.EmailField("email address")
    job_title = models.CharField(max_length=150, blank=True)
    org_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    line_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects = PmfUserManager()

    REQUIRED_FIELDS = ["email", "name"]

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_unique_email_ci")]

    def __str__(self):
        return self.name or self.username

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.username

    def get_absolute_url(self):
        return reverse("person-detail", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()
        if self.line_manager_id and self.line_manager_id == self.pk:
            raise ValidationError({"line_manager": "A person cannot be their own line manager."})

    # Templates ask the signed-in user these; each answer comes from the rule in pmf.access.
    @property
    def is_admin(self) -> bool:
        return access.is_admin(self)

    @property
    def is_manager(self) -> bool:
        return access.is_manager(self)

    @property
    def can_write(self) -> bool:
        return access.can_write(self)

    @property
    def can_plan(self) -> bool:
        return access.can_plan(self)

    @property
    def can_configure(self) -> bool:
        return access.can_configure(self)

    def save(self, *args, **kwargs):
        # The performance team administers the system, so admins reach the admin site.
        if self.role == self.Role.ADMIN:
            self.is_staff = True
        super().save(*args, **kwargs)


class SingletonSettings(models.Model):
    """Base of a module's one-row settings (plan settings, scorecard settings).

    `load()` reads the row, or gives the defaults without writing anything when nobody has saved
    settings yet; `save()` always writes row 1, so there is never a second row."""

    class Meta:
        abstract = True

    def __str__(self):
        return capfirst(str(self._meta.verbose_name))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls(pk=1)
