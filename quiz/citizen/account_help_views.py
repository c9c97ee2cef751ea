""""Quên mật khẩu": the citizen picks their commune and gets its help desk's contact.

The citizen chooses the commune (as at registration) rather than typing a phone number, so the page
never tells anyone where a given phone number is registered. A reset by SMS code needs the organizer's
SMS gateway (another change); until then the commune office resets the password in person.
"""
from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue

from quiz.citizen import bp
from quiz.people.commune_contacts import commune_contact
from quiz.people.communes import province_communes


@bp.get("/quen-mat-khau")
def forgot_password() -> ResponseReturnValue:
    communes = province_communes(current_app.config["PROVINCE_CODE"])
    chosen = next((c for c in communes if c.code == request.args.get("xa", "")), None)
    contact = commune_contact(chosen.code) if chosen else None
    return render_template("quiz/forgot_password.html", communes=communes, chosen=chosen, contact=contact)
