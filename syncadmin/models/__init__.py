from syncadmin.models.alerts import AlertState
from syncadmin.models.audit import AuditEvent
from syncadmin.models.cleanup import (
    CleanupPlan,
    ItemState,
    MatchCluster,
    MatchPair,
    PlanItem,
    PlanKind,
    PlanState,
    PlanStep,
    Review,
    StepKind,
    StepState,
)
from syncadmin.models.connections import Connection, ConnectionStatus, DataCentre, Service
from syncadmin.models.history import (
    EventOutcome,
    RunKind,
    RunStatus,
    RunTrigger,
    SyncEvent,
    SyncFailure,
    SyncRun,
)
from syncadmin.models.mapping import LinkProvenance, LinkState, RecordLink
from syncadmin.models.mirror import BooksContact, BooksContactStatus, CrmModule, CrmRecord
from syncadmin.models.roles import Capability
from syncadmin.models.sync import (
    InboxDelivery,
    InboxSource,
    InboxStatus,
    LedgerState,
    ModuleMapping,
    PushLedger,
    SyncSettings,
    Watermark,
)
from syncadmin.models.system import WorkerHeartbeat

__all__ = [
    "AlertState",
    "AuditEvent",
    "BooksContact",
    "BooksContactStatus",
    "Capability",
    "CleanupPlan",
    "Connection",
    "ConnectionStatus",
    "CrmModule",
    "CrmRecord",
    "DataCentre",
    "EventOutcome",
    "InboxDelivery",
    "InboxSource",
    "InboxStatus",
    "ItemState",
    "LedgerState",
    "LinkProvenance",
    "LinkState",
    "MatchCluster",
    "MatchPair",
    "ModuleMapping",
    "PlanItem",
    "PlanKind",
    "PlanState",
    "PlanStep",
    "PushLedger",
    "RecordLink",
    "Review",
    "RunKind",
    "RunStatus",
    "RunTrigger",
    "Service",
    "StepKind",
    "StepState",
    "SyncEvent",
    "SyncFailure",
    "SyncRun",
    "SyncSettings",
    "Watermark",
    "WorkerHeartbeat",
]
