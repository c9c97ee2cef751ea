"""Storing the argon2id hash that a successful log-in computed in place of an outdated one."""
from quiz.infra.database import write_transaction
from quiz.models.people import PasswordMixin


def store_upgraded_hash(person: PasswordMixin) -> bool:
    """Save the rehash check_password found due (scrypt → argon2id, or a changed cost); True if one was saved."""
    new_hash = person.upgraded_password_hash
    if not new_hash:
        return False
    with write_transaction():
        person.password_hash = new_hash
    person.upgraded_password_hash = None
    return True
