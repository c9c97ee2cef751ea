"""The organizer's certificate template: title, issuer, signer, and a seal or logo image (validated)."""
import io
from dataclasses import dataclass
from datetime import datetime

from PIL import Image

from quiz.audit import record
from quiz.errors import CertificateError
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import CertificateTemplate

TEMPLATE_ID = 1
DEFAULT_ISSUER = "Ban Tổ chức cuộc thi"
SEAL_MAX_BYTES = 1024 * 1024
SEAL_MAX_SIDE = 3000  # pixels of the upload; bigger is refused before decoding the whole image
SEAL_STORED_SIDE = 600  # what is kept: plenty for 40 mm at print resolution
SEAL_FORMATS = {"PNG", "JPEG"}
BAD_IMAGE = "Ảnh con dấu/logo phải là tệp PNG hoặc JPG hợp lệ."
BIG_IMAGE = "Ảnh con dấu/logo tối đa 1 MB và 3000 × 3000 điểm ảnh."


@dataclass(frozen=True)
class TemplateDraft:
    """What the organizer typed on the template page."""

    title: str
    issuer: str
    signer_name: str
    signer_position: str


def current_template() -> CertificateTemplate:
    """The saved template, or the defaults (unsaved) before the organizer has edited it."""
    return db.session.get(CertificateTemplate, TEMPLATE_ID) or CertificateTemplate(
        id=TEMPLATE_ID, title="GIẤY CHỨNG NHẬN", issuer="", signer_name="", signer_position="")


def issuer_of(template: CertificateTemplate) -> str:
    return template.issuer or DEFAULT_ISSUER


def validated_seal(upload: bytes) -> bytes:
    """The uploaded image as a PNG of at most SEAL_STORED_SIDE pixels; anything else is refused.

    Re-encoding keeps only pixels: no metadata, no payload hidden after the image data.
    """
    if len(upload) > SEAL_MAX_BYTES:
        raise CertificateError(BIG_IMAGE, "seal")
    try:
        picture = _decoded(upload)
    except CertificateError:
        raise
    except Exception:  # noqa: BLE001 - Pillow's decoders raise SyntaxError, EOFError, struct.error… on a crafted file
        raise CertificateError(BAD_IMAGE, "seal") from None
    picture.thumbnail((SEAL_STORED_SIDE, SEAL_STORED_SIDE))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _decoded(upload: bytes) -> Image.Image:
    with Image.open(io.BytesIO(upload)) as image:
        if image.format not in SEAL_FORMATS:
            raise CertificateError(BAD_IMAGE, "seal")
        if max(image.size) > SEAL_MAX_SIDE:
            raise CertificateError(BIG_IMAGE, "seal")
        image.load()
        return image.convert("RGBA")


def update_template(draft: TemplateDraft, seal_upload: bytes | None, remove_seal: bool,
                    staff_id: int, now: datetime) -> CertificateTemplate:
    """Save the organizer's template (audited); the seal is validated before anything is written."""
    seal = validated_seal(seal_upload) if seal_upload else None
    with write_transaction():
        template = db.session.get(CertificateTemplate, TEMPLATE_ID) or CertificateTemplate(id=TEMPLATE_ID)
        template.title = draft.title.strip()[:120] or "GIẤY CHỨNG NHẬN"
        template.issuer = draft.issuer.strip()[:200]
        template.signer_name = draft.signer_name.strip()[:100]
        template.signer_position = draft.signer_position.strip()[:120]
        if seal is not None:
            template.seal_png = seal
        elif remove_seal:
            template.seal_png = None
        template.updated_at, template.updated_by_id = now, staff_id
        db.session.add(template)
        record(staff_id, "update_certificate_template", "setting", ["certificate_template"],
               changes={"seal": "new" if seal else ("removed" if remove_seal else "kept")})
    return template
