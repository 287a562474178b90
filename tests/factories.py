"""factory-boy factories for every product model."""

from importlib import import_module

import factory
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.utils import timezone

from syncadmin import models
from syncadmin.access import ROLES


def ensure_roles() -> None:
    """Transactional tests flush the groups the roles migration made; make them again."""
    if Group.objects.filter(name__in=ROLES).count() < len(ROLES):
        import_module("syncadmin.migrations.0002_roles").create_roles(django_apps, None)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            ensure_roles()
            self.groups.add(Group.objects.get(name=extracted))


class ConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Connection

    service = models.Service.BOOKS
    data_centre = models.DataCentre.EU
    organization_id = factory.Sequence(lambda n: f"2009900000{n}")
    organization_name = "Zylker UK Ltd"
    client_id = "1000.TESTCLIENT"
    client_secret = "secret"
    refresh_token = "1000.refresh"
    status = models.ConnectionStatus.CONNECTED
    user_name = "Patricia Boyle"
    user_email = "p.boyle@zylker.test"


class CrmRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CrmRecord

    module = models.CrmModule.ACCOUNTS
    crm_id = factory.Sequence(lambda n: f"{3652397000000000000 + n}")
    name = factory.Faker("company")
    email = factory.Faker("company_email")
    modified_time = factory.LazyFunction(timezone.now)


class BooksContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.BooksContact

    organization_id = "20099000001"
    contact_id = factory.Sequence(lambda n: f"{460000000000000 + n}")
    contact_name = factory.Faker("company")
    email = factory.Faker("company_email")
    last_modified_time = factory.LazyFunction(timezone.now)


class RecordLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RecordLink

    books_organization_id = "20099000001"
    crm_module = models.CrmModule.ACCOUNTS
    crm_record = factory.SubFactory(CrmRecordFactory)
    books_contact = factory.SubFactory(BooksContactFactory)
    provenance = models.LinkProvenance.NATIVE_NAME_MATCH
    state = models.LinkState.LINKED


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SyncRun

    kind = models.RunKind.PUSH
    trigger = models.RunTrigger.MANUAL
    status = models.RunStatus.SUCCEEDED


class SyncEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SyncEvent

    run = factory.SubFactory(SyncRunFactory)
    outcome = models.EventOutcome.CREATED


class SyncFailureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SyncFailure

    crm_record = factory.SubFactory(CrmRecordFactory)
    operation = "push"
    reason_code = "display_name_taken"
    zoho_code = "3062"
    zoho_message = 'The customer "Acme Ltd" already exists. Please specify a different name.'
    explanation = "Books already has a customer with this display name."
    suggested_fix = "Link the existing customer or rename one of them."


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AuditEvent

    actor_label = "system"
    action = "link.create"
    target_type = "record_link"
    target_id = "1"


class WorkerHeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.WorkerHeartbeat

    beat_at = factory.LazyFunction(timezone.now)
