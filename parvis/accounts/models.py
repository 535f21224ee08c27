from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError(_("Une adresse e-mail est obligatoire."))
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person with an account: a resident or a member of staff. Logs in by e-mail."""

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email_verified_at = models.DateTimeField(
        _("adresse e-mail vérifiée le"),
        null=True,
        blank=True,
        help_text=_("Renseigné quand la personne a suivi le lien de vérification."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def needs_second_factor(self) -> bool:
        """Every account that can reach the back office must prove a second factor."""
        return self.is_staff or self.is_superuser or self.has_perm("wagtailadmin.access_admin")


class FamilyMember(models.Model):
    """A person a resident books or files requests for (a child, a spouse, a parent).

    Belongs to one account; only that account sees it. Bookings and procedures copy the
    name they need at the time (a later edit never rewrites a past booking)."""

    class Relation(models.TextChoices):
        CHILD = "child", _("enfant")
        SPOUSE = "spouse", _("conjoint ou conjointe")
        PARENT = "parent", _("parent")
        OTHER = "other", _("autre")

    user = models.ForeignKey(
        User, verbose_name=_("compte"), on_delete=models.CASCADE, related_name="family_members"
    )
    first_name = models.CharField(_("prénom"), max_length=80)
    last_name = models.CharField(_("nom"), max_length=80)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    relation = models.CharField(
        _("lien"), max_length=10, choices=Relation.choices, default=Relation.CHILD
    )
    notes = models.CharField(
        _("informations utiles"),
        max_length=300,
        blank=True,
        help_text=_("Allergies, régime alimentaire, traitement… (facultatif)"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membre de la famille")
        verbose_name_plural = _("membres de la famille")
        ordering = ["first_name", "last_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
