"""The organizers' question bank: list and search, edit with versions, retire, topics, import and export."""
import re
import secrets
import time
from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.access import organizer_required
from quiz.errors import DomainError
from quiz.infra.converters import db_count, db_id, read_int
from quiz.infra.extensions import db
from quiz.models import Question, Topic
from quiz.questions.editing import (
    QuestionDraft,
    create_question,
    filtered_questions,
    preview_version,
    retire_question,
    retire_topic,
    save_topic,
    search_questions,
    update_question,
)
from quiz.questions.transfer import (
    FORMATS,
    apply_import,
    detect_format,
    export_gift,
    export_xlsx,
    preview_import,
    selected_questions,
    template_csv,
    template_xlsx,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 5 * 1024 * 1024
UPLOAD_KEEP_SECONDS = 24 * 3600
UPLOAD_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)


def _filters() -> dict:
    args = request.args
    flag = lambda name: {"1": True, "0": False}.get(args.get(name, ""))  # noqa: E731
    return {"query": args.get("q", "").strip()[:200], "topic_id": args.get("topic", type=db_id),
            "difficulty": args.get("difficulty", type=db_count), "multiple": flag("multiple"), "active": flag("active")}


def _topics(include_retired: bool = False) -> list[Topic]:
    stmt = select(Topic).order_by(Topic.name)
    if not include_retired:
        stmt = stmt.where(Topic.retired_at.is_(None))
    return list(db.session.scalars(stmt))


@bp.get("/cau-hoi")
@organizer_required
def question_list():  # type: ignore[no-untyped-def]
    page = search_questions(**_filters(), page=request.args.get("page", 1, type=db_count))
    return render_template("admin/questions/list.html", page=page, topics=_topics(True), args=request.args)


def _draft_from_form() -> QuestionDraft:
    form = request.form
    return QuestionDraft(topic_id=form.get("topic_id", type=db_id) or 0, text=form.get("text", ""),
                         choices=[form.get(f"choice{i}", "") for i in range(6)],
                         correct=[read_int({"v": v}, "v", -1) for v in form.getlist("correct")[:8]],
                         explanation=form.get("explanation", ""), difficulty=form.get("difficulty", 1, type=db_count),
                         multiple=form.get("multiple") == "1", active=form.get("active") == "1")


@bp.route("/cau-hoi/moi", methods=["GET", "POST"], defaults={"question_id": None})
@bp.route("/cau-hoi/<int:question_id>", methods=["GET", "POST"])
@organizer_required
def question_edit(question_id: int | None):  # type: ignore[no-untyped-def]
    question = db.session.get(Question, question_id) if question_id else None
    if question_id and question is None:
        abort(404)
    error, draft = None, None
    if request.method == "POST":
        draft = _draft_from_form()
        try:
            if question is None:
                question = create_question(draft, current_user.id)
            else:
                update_question(question.id, draft, current_user.id)
        except DomainError as exc:
            error = exc.message
        else:
            flash("Đã lưu câu hỏi.", "success")
            return redirect(url_for("admin.question_edit", question_id=question.id))
    topics = _topics() + ([question.topic] if question and question.topic.retired_at else [])
    return render_template("admin/questions/edit.html", question=question, draft=draft, error=error, topics=topics)


@bp.post("/cau-hoi/<int:question_id>/ngung-dung")
@organizer_required
def question_retire(question_id: int):  # type: ignore[no-untyped-def]
    if db.session.get(Question, question_id) is None:
        abort(404)
    retire_question(question_id, current_user.id)
    flash("Đã ngừng dùng câu hỏi; lịch sử và các bài thi cũ được giữ nguyên.", "success")
    return redirect(url_for("admin.question_list"))


@bp.get("/cau-hoi/<int:question_id>/xem-truoc")
@organizer_required
def question_preview(question_id: int):  # type: ignore[no-untyped-def]
    question = db.session.get(Question, question_id) or abort(404)
    return render_template("admin/questions/preview.html", question=question, version=question.current_version)


@bp.post("/cau-hoi/xem-truoc")
@organizer_required
def question_preview_draft():  # type: ignore[no-untyped-def]
    """The form's content as a citizen would see it, before (or without) saving."""
    try:
        version = preview_version(_draft_from_form())
    except DomainError as exc:
        return render_template("admin/questions/edit.html", question=None, draft=_draft_from_form(),
                               error=exc.message, topics=_topics()), 422
    return render_template("admin/questions/preview.html", question=None, version=version)


@bp.route("/chu-de", methods=["GET", "POST"])
@organizer_required
def topics():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        try:
            if request.form.get("action") == "retire":
                retire_topic(request.form.get("topic_id", type=db_id), current_user.id)
            else:
                save_topic(request.form.get("name", ""), current_user.id, request.form.get("topic_id", type=db_id))
        except DomainError as exc:
            flash(exc.message, "error")
        return redirect(url_for("admin.topics"))
    return render_template("admin/questions/topics.html", topics=_topics(True))


def _upload_dir() -> Path:
    """Uploaded files wait here between the preview and the confirmation; a day later they are removed."""
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stale = time.time() - UPLOAD_KEEP_SECONDS
    for old_file in folder.iterdir():
        try:
            if old_file.stat().st_mtime < stale:
                old_file.unlink(missing_ok=True)
        except FileNotFoundError:  # claimed or removed by a parallel request meanwhile
            continue
    return folder


@bp.route("/cau-hoi/nhap", methods=["GET", "POST"])
@organizer_required
def question_import():  # type: ignore[no-untyped-def]
    """Step 1: upload and see the dry run. The file waits server-side under a random token."""
    if request.method == "GET":
        return render_template("admin/questions/import.html", topics=_topics(), preview=None)
    upload = request.files.get("file")
    content = upload.read(MAX_UPLOAD + 1) if upload else b""
    if not content or len(content) > MAX_UPLOAD:
        flash("Vui lòng chọn tệp câu hỏi (tối đa 5 MB).", "error")
        return redirect(url_for("admin.question_import"))
    fmt = request.form.get("format") or detect_format(upload.filename or "", content)
    if fmt not in FORMATS:
        abort(400)
    topic_id = request.form.get("topic_id", type=db_id)
    preview = preview_import(content, fmt, topic_id)
    token = secrets.token_urlsafe(16)
    if preview.new_count and not preview.errors:  # only a file that can be confirmed waits server-side
        (_upload_dir() / f"{token}.{fmt}").write_bytes(content)
    topics = _topics()
    return render_template("admin/questions/import.html", topics=topics, preview=preview, token=token, fmt=fmt,
                           topic_id=topic_id, filename=upload.filename, topic_names={t.id: t.name for t in topics})


@bp.post("/cau-hoi/nhap/xac-nhan")
@organizer_required
def question_import_confirm():  # type: ignore[no-untyped-def]
    """Step 2: apply the previewed file, all or nothing."""
    token, fmt = request.form.get("token", ""), request.form.get("format", "")
    if fmt not in FORMATS or not UPLOAD_TOKEN.fullmatch(token):
        abort(400)
    content = _claim_upload(_upload_dir() / f"{token}.{fmt}")
    if content is None:
        flash("Tệp đã hết hạn hoặc đã được nhập; vui lòng tải lên lại nếu cần.", "error")
        return redirect(url_for("admin.question_import"))
    preview = preview_import(content, fmt, request.form.get("topic_id", type=db_id))
    try:
        count = apply_import(preview, current_user.id, request.form.get("filename", ""))
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.question_import"))
    flash(f"Đã nhập {count} câu hỏi mới.", "success")
    return redirect(url_for("admin.question_list"))


def _claim_upload(path: Path) -> bytes | None:
    """The waiting file's bytes, taken by this request alone: a rename is atomic, so of a double click (or
    a replay) one request imports and the others find nothing. None: expired or already taken."""
    claimed = path.with_name(f"{path.name}.{secrets.token_hex(8)}.claimed")
    try:
        path.rename(claimed)
    except FileNotFoundError:
        return None
    try:
        return claimed.read_bytes()
    except FileNotFoundError:  # a day old: the clean-up of a parallel request took it meanwhile
        return None
    finally:
        claimed.unlink(missing_ok=True)


@bp.get("/cau-hoi/mau-nhap.<fmt>")
@organizer_required
def question_template(fmt: str):  # type: ignore[no-untyped-def]
    """The import template with example rows, as Excel or as CSV (UTF-8 with BOM, so Excel reads the accents)."""
    if fmt == "xlsx":
        return Response(template_xlsx(), mimetype=XLSX,
                        headers={"Content-Disposition": "attachment; filename=mau-nhap-cau-hoi.xlsx"})
    if fmt == "csv":
        return Response(template_csv(), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=mau-nhap-cau-hoi.csv"})
    abort(404)


@bp.get("/cau-hoi/xuat.<fmt>")
@organizer_required
def question_export(fmt: str):  # type: ignore[no-untyped-def]
    """The bank, or the list's current filter (loc=1), as Excel or GIFT."""
    questions = filtered_questions(**_filters()) if request.args.get("loc") else selected_questions()
    if fmt == "xlsx":
        return Response(export_xlsx(questions), mimetype=XLSX,
                        headers={"Content-Disposition": "attachment; filename=ngan-hang-cau-hoi.xlsx"})
    if fmt == "gift":
        return Response(export_gift(questions), mimetype="text/plain; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=ngan-hang-cau-hoi.gift"})
    abort(404)
