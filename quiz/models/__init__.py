"""The database models, one module per area; import them from here."""
from quiz.models.audit import AuditEvent, AuditSubject, CitizenChange
from quiz.models.campaign import Contest, FrozenPlace, PracticeAttempt, PrizeComputation, PrizeTier, Winner
from quiz.models.certificates import Certificate, CertificateBatch, CertificateTemplate
from quiz.models.contacts import CommuneContact
from quiz.models.contest import (
    Attempt,
    AttemptItem,
    BestResult,
    Question,
    QuestionVersion,
    Round,
    Topic,
)
from quiz.models.fairness import (
    ClientSignal,
    Disqualification,
    IntegrityFlag,
    PhoneCode,
    PhoneVerification,
    RoundAllowance,
)
from quiz.models.geography import Commune
from quiz.models.people import Citizen, StaffUser
from quiz.models.privacy import Consent, DataRequest, PrivacyNotice, Setting
from quiz.models.reporting import CommuneChange, IssuedReport
from quiz.models.statistics import QuestionStatSnapshot

__all__ = [
    "Attempt", "AttemptItem", "Certificate", "CertificateBatch", "CertificateTemplate", "AuditEvent", "AuditSubject", "CitizenChange", "Contest", "FrozenPlace", "PracticeAttempt", "PrizeComputation", "PrizeTier", "Winner",
    "BestResult", "Citizen", "Commune",
    "CommuneChange", "CommuneContact", "Consent", "IssuedReport",
    "DataRequest", "PrivacyNotice", "Question", "QuestionStatSnapshot", "QuestionVersion", "Round", "Setting",
    "StaffUser", "Topic", "ClientSignal", "Disqualification", "IntegrityFlag", "PhoneCode", "PhoneVerification",
    "RoundAllowance",
]
