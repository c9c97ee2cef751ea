"""Staff accounts and what commune admins do for citizens in person."""
import os
import secrets
from datetime import datetime
from pathlib import Path

import xlsxwriter
from sqlalchemy import select

from quiz.audit import record
from quiz.errors import AccountRemoved, DomainError
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.passwords_hash import HashCost
from quiz.models import Commune, StaffUser
from quiz.people.password_change import set_temporary_password
from quiz.people.scope import citizen_for_staff

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (l/1, o/0) for handing out on paper


def temporary_password(length: int = 12) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def create_organizer(username: str, password: str) -> StaffUser:
    """Create an organizer account (whole province); the password must be changed at first login."""
    if db.session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
        raise DomainError(f"Tên đăng nhập {username} đã tồn tại.")
    with write_transaction():
        staff = StaffUser(username=username, display_name=username, role=StaffUser.ORGANIZER)
        staff.set_password(password)
        db.session.add(staff)
    return staff


def commune_admin_username(commune_code: str) -> str:
    return f"xa{commune_code}"


def create_commune_admins(province_code: str) -> list[tuple[StaffUser, Commune, str]]:
    """One commune-admin account per commune that has none yet, each with a random initial password."""
    communes = db.session.scalars(select(Commune).where(Commune.province_code == province_code)
                                  .order_by(Commune.code)).all()
    existing = set(db.session.scalars(select(StaffUser.username)))
    created = []
    with write_transaction():
        for commune in communes:
            username = commune_admin_username(commune.code)
            if username in existing:
                continue
            password = temporary_password()
            staff = StaffUser(username=username, display_name=f"Cán bộ {commune.name}",
                              role=StaffUser.COMMUNE_ADMIN, commune_code=commune.code)
            staff.set_password(password)
            db.session.add(staff)
            created.append((staff, commune, password))
    return created


def write_credentials(rows: list[tuple[StaffUser, Commune, str]], path: Path) -> None:
    """The initial credentials as an .xlsx for the organizer to hand out (codes kept as text), readable by its owner only."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Tài khoản")
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(("Mã xã", "Tên xã, phường, đặc khu", "Tên đăng nhập", "Mật khẩu ban đầu")):
        sheet.write_string(0, col, title, bold)
    for row, (staff, commune, password) in enumerate(rows, start=1):
        for col, value in enumerate((commune.code, commune.name, staff.username, password)):
            sheet.write_string(row, col, value)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 32)
    sheet.set_column(2, 3, 18)
    sheet.freeze_panes(1, 0)
    workbook.close()


def reset_citizen_password(staff: StaffUser, citizen_id: int, now: datetime, cost: HashCost) -> str:
    """Give a citizen of the staff member's commune a temporary password (audited): one log-in within 72 hours,
    then a forced change; the citizen's sessions end."""
    citizen = citizen_for_staff(staff, citizen_id)
    if not citizen.is_active:
        raise AccountRemoved("Tài khoản này đã bị xóa theo yêu cầu.")
    password = temporary_password(10)
    with write_transaction():
        citizen = citizen_for_staff(staff, citizen_id)
        set_temporary_password(citizen, password, cost, now)
        record(staff.id, "reset_citizen_password", "citizen", [citizen.id])
    return password
