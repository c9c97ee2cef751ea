"""The personal-data download as a citizen reads it: Vietnam time as dd/mm/yyyy HH:mm, Vietnamese words
instead of the stored codes (processing, assisted, deletion, …)."""
from datetime import date, datetime

from quiz.infra.clock import to_local

PURPOSES = {"processing": "Xử lý dữ liệu để dự thi", "publish_winner": "Công bố họ tên và nơi sinh sống khi đoạt giải"}
METHODS = {"self": "Tự đăng ký trên trang web", "assisted": "Cán bộ xã, phường, đặc khu đăng ký hộ"}
REQUEST_KINDS = {"deletion": "Xóa dữ liệu", "correction": "Sửa dữ liệu", "objection": "Phản đối xử lý dữ liệu",
                 "access": "Xem dữ liệu", "withdrawal": "Rút lại sự đồng ý"}


def vn_time(value: str | None) -> str | None:
    """A stored UTC ISO time ("2026-11-25T02:05:00Z") as Vietnam time: "25/11/2026 09:05"."""
    if not value:
        return None
    return to_local(datetime.fromisoformat(value.rstrip("Z"))).strftime("%d/%m/%Y %H:%M")


def vn_date(value: str | None) -> str | None:
    return date.fromisoformat(value).strftime("%d/%m/%Y") if value else None


def for_citizen(data: dict) -> dict:
    """personal_data() with every time, date and code in the citizen's words."""
    return {
        **data, "ngay_sinh": vn_date(data["ngay_sinh"]), "dang_ky_luc": vn_time(data["dang_ky_luc"]),
        "dang_ky_ho": "Có" if data["dang_ky_ho"] else "Không", "mui_gio": "Giờ Việt Nam (UTC+7)",
        "dong_y": [{**c, "muc_dich": PURPOSES.get(c["muc_dich"], c["muc_dich"]), "luc": vn_time(c["luc"]),
                    "cach": METHODS.get(c["cach"], c["cach"]), "rut_lai_luc": vn_time(c["rut_lai_luc"])}
                   for c in data["dong_y"]],
        "bai_thi": [{**a, "bat_dau": vn_time(a["bat_dau"]), "nop_luc": vn_time(a["nop_luc"]),
                     "dat": None if a["dat"] is None else ("Đạt" if a["dat"] else "Chưa đạt")} for a in data["bai_thi"]],
        "yeu_cau": [{**r, "loai": REQUEST_KINDS.get(r["loai"], r["loai"]), "nhan_luc": vn_time(r["nhan_luc"]),
                     "hoan_thanh_luc": vn_time(r["hoan_thanh_luc"])} for r in data["yeu_cau"]],
    }
