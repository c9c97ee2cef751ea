"""A commune admin reads nothing about another commune's citizens, on every admin route."""
from tests.admin_helpers import COMMUNE_B, build_scenario
from tests.conftest import csrf_token, staff_login

# Every admin route, and what a commune admin of commune A gets when reaching for commune B.
# "forbidden": organizer-only (403); "absent": 200/302/404 but nothing of commune B's citizens in the body.
CASES = {
    "admin.index": ("GET", "/quan-tri/", "absent"),
    "admin.login": ("GET", "/quan-tri/dang-nhap", "absent"),
    "admin.logout": ("POST", "/quan-tri/dang-xuat", "absent"),
    "admin.change_password": ("GET", "/quan-tri/doi-mat-khau", "absent"),
    "admin.organizer_dashboard": ("GET", "/quan-tri/tong-quan", "forbidden"),
    "admin.organizer_dashboard_json": ("GET", "/quan-tri/tong-quan.json", "forbidden"),
    "admin.commune_dashboard": ("GET", f"/quan-tri/xa-phuong?xa={COMMUNE_B}", "absent"),
    "admin.commune_dashboard_json": ("GET", f"/quan-tri/xa-phuong.json?xa={COMMUNE_B}", "absent"),
    "admin.participant_list": ("POST", f"/quan-tri/nguoi-du-thi?xa={COMMUNE_B}", "absent"),
    "admin.reveal_phone": ("POST", "/quan-tri/nguoi-du-thi/{citizen_b}/so-dien-thoai", "forbidden"),
    "admin.notices": ("POST", "/quan-tri/thong-bao-du-lieu", "forbidden"),
    "admin.data_request_list": ("GET", "/quan-tri/yeu-cau-du-lieu", "forbidden"),
    "admin.audit_log": ("GET", "/quan-tri/nhat-ky?citizen={citizen_b}", "forbidden"),
    "admin.question_list": ("GET", "/quan-tri/cau-hoi", "forbidden"),
    "admin.question_edit": ("POST", "/quan-tri/cau-hoi/moi", "forbidden"),
    "admin.question_retire": ("POST", "/quan-tri/cau-hoi/1/ngung-dung", "forbidden"),
    "admin.question_preview": ("GET", "/quan-tri/cau-hoi/1/xem-truoc", "forbidden"),
    "admin.question_preview_draft": ("POST", "/quan-tri/cau-hoi/xem-truoc", "forbidden"),
    "admin.topics": ("POST", "/quan-tri/chu-de", "forbidden"),
    "admin.question_import": ("POST", "/quan-tri/cau-hoi/nhap", "forbidden"),
    "admin.question_import_confirm": ("POST", "/quan-tri/cau-hoi/nhap/xac-nhan", "forbidden"),
    "admin.question_template": ("GET", "/quan-tri/cau-hoi/mau-nhap.xlsx", "forbidden"),
    "admin.question_export": ("GET", "/quan-tri/cau-hoi/xuat.xlsx", "forbidden"),
    "admin.round_list": ("GET", "/quan-tri/dot-thi", "forbidden"),
    "admin.round_edit": ("POST", "/quan-tri/dot-thi/{round_id}", "forbidden"),
    "admin.round_ranking_view": ("GET", f"/quan-tri/dot-thi/{{round_id}}/xep-hang?xa={COMMUNE_B}", "forbidden"),
    "admin.question_stats_view": ("GET", f"/quan-tri/thong-ke-cau-hoi?xa={COMMUNE_B}", "forbidden"),
    "admin.question_stats_refresh": ("POST", "/quan-tri/thong-ke-cau-hoi/tinh-lai", "forbidden"),
    "admin.reset_password": ("POST", "/quan-tri/nguoi-du-thi/{citizen_b}/dat-lai-mat-khau", "not_found"),
    "admin.assisted_register": ("GET", "/quan-tri/dang-ky-ho", "absent"),
    "admin.reports": ("GET", "/quan-tri/bao-cao", "forbidden"),
    "admin.contest_view": ("GET", "/quan-tri/cuoc-thi/1", "forbidden"),
    "admin.referral_ranking_view": ("GET", "/quan-tri/lan-toa", "forbidden"),
    "admin.prizes_view": ("GET", "/quan-tri/dot-thi/{round_id}/giai-thuong", "forbidden"),
    "admin.prizes_tiers": ("POST", "/quan-tri/dot-thi/{round_id}/giai-thuong/co-cau", "forbidden"),
    "admin.prizes_compute": ("POST", "/quan-tri/dot-thi/{round_id}/giai-thuong/chot", "forbidden"),
    "admin.prizes_publish": ("POST", "/quan-tri/dot-thi/{round_id}/giai-thuong/cong-bo", "forbidden"),
    "admin.prizes_sheet": ("GET", "/quan-tri/dot-thi/{round_id}/giai-thuong/xet-giai.xlsx", "forbidden"),
    "admin.quick_report_view": ("POST", "/quan-tri/bao-cao/nhanh", "forbidden"),
    "admin.appendix": ("GET", "/quan-tri/bao-cao/phu-luc.xlsx", "forbidden"),
    "admin.export_participants": ("POST", "/quan-tri/bao-cao/nguoi-du-thi.xlsx", "forbidden"),
    "admin.issued_report_download": ("GET", "/quan-tri/bao-cao/da-lap/1", "forbidden"),
    "admin.report_score_scale": ("POST", "/quan-tri/bao-cao/thang-diem", "forbidden"),
    "admin.public_feed_json": ("GET", "/quan-tri/cong-khai/so-lieu.json", "absent"),
    "admin.public_feed_csv_view": ("GET", "/quan-tri/cong-khai/so-lieu.csv", "absent"),
    "admin.round_review": ("GET", "/quan-tri/dot-thi/{round_id}/kiem-tra", "forbidden"),
    "admin.round_review_decide": ("POST", "/quan-tri/dot-thi/{round_id}/kiem-tra/{citizen_b}/loai", "forbidden"),
    "admin.verify_citizen_phone": ("POST", "/quan-tri/nguoi-du-thi/{citizen_b}/xac-minh-sdt", "not_found"),
    "admin.certificate_list": ("GET", "/quan-tri/giay-chung-nhan", "forbidden"),
    "admin.certificate_revoke": ("POST", "/quan-tri/giay-chung-nhan/1/thu-hoi", "forbidden"),
    "admin.certificate_reissue": ("POST", "/quan-tri/giay-chung-nhan/1/cap-lai", "forbidden"),
    "admin.certificate_template_edit": ("POST", "/quan-tri/giay-chung-nhan/mau", "forbidden"),
    "admin.certificate_batch_start": ("POST", "/quan-tri/giay-chung-nhan/hang-loat", "forbidden"),
    "admin.certificate_batch_status": ("GET", "/quan-tri/giay-chung-nhan/hang-loat/1", "forbidden"),
    "admin.certificate_batch_download": ("GET", "/quan-tri/giay-chung-nhan/hang-loat/1/tai-ve.zip", "forbidden"),
    "admin.commune_contact_edit": ("POST", f"/quan-tri/lien-he-xa?xa={COMMUNE_B}", "absent"),
}
EXTRA_CASES: dict = {}  # other modules add their admin routes here


def all_cases() -> dict:
    return {**CASES, **EXTRA_CASES}


def test_every_admin_route_has_a_scoping_case(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    missing = endpoints - set(all_cases())
    assert not missing, f"admin routes without a cross-commune test: {sorted(missing)}"


def test_commune_admin_cannot_reach_another_commune(app, contest):
    """One scenario, every route: each case logs in afresh, so a logout or a POST cannot hide another case."""
    scenario = build_scenario(app, contest)
    leaks = []
    for endpoint, (method, url, expectation) in sorted(all_cases().items()):
        client = app.test_client()
        staff_login(client, "xa-a")
        token = csrf_token(client.get("/quan-tri/doi-mat-khau"))
        url = url.format(citizen_b=scenario.citizen_b, round_id=scenario.round_id)
        data = {"csrf_token": token, "reason": "kiểm tra", "commune_code": COMMUNE_B, "q": "binh"}
        response = client.post(url, data=data) if method == "POST" else client.get(url)
        body = response.get_data(as_text=True)
        if expectation == "forbidden" and response.status_code != 403:
            leaks.append(f"{endpoint}: expected 403, got {response.status_code}")
        if expectation == "not_found" and response.status_code != 404:
            leaks.append(f"{endpoint}: expected 404, got {response.status_code}")
        secrets = ["Hoàng Văn Bình", scenario.phone_b, scenario.phone_b[-3:] + "<"]
        if "cong-khai" not in url:  # the public feed lists every commune's aggregate figures by design
            secrets.append("Xã An Thành")
        leaks += [f"{endpoint}: shows {secret!r}" for secret in secrets if secret in body]
    assert leaks == []
