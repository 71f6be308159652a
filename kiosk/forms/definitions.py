"""The declarations the kiosk helps to fill, with the fields of their official templates.

Sources: the templates attached to Thông tư 04/2020/TT-BTP (hộ tịch, as amended), Thông tư
56/2021/TT-BCA amended by Thông tư 66/2023/TT-BCA (Mẫu CT01), and the household-business
application (Phụ lục III-1, Thông tư 01/2021/TT-BKHĐT; replaced in 2025 by a template under
Thông tư 68/2025/TT-BTC whose number is not verified). Field lists follow those templates as far
as known; each form's `uncertain` says what is not checked against the current official text.
"""

from __future__ import annotations

from .model import Copy, Field, FormDef, Rule, Step

ETHNICITY_HELP = "Ví dụ: Kinh, Tày, Thái, Mường, Khmer, Hoa…"
ID_HELP = "12 chữ số in trên thẻ căn cước (số định danh cá nhân)."
RESIDENCE_HELP = "Ghi đủ: số nhà, đường/thôn, xã/phường, tỉnh/thành phố."
AUTHORITY_HELP = "Cơ quan nhận hồ sơ; để nguyên nếu không chắc, cán bộ sẽ ghi giúp."
GENDERS = ("Nam", "Nữ")


def _authority(default: str = "") -> Field:
    return Field("authority", "Kính gửi", "text", required=False, help=AUTHORITY_HELP,
                 max_length=200, default=default)


KHAI_SINH = FormDef(
    code="khai-sinh",
    title="Tờ khai đăng ký khai sinh",
    procedures=("1.001193",),
    form_ref="TK-KS",
    basis="Mẫu ban hành kèm Thông tư 04/2020/TT-BTP (đã được sửa đổi, bổ sung)",
    summary="Đăng ký khai sinh cho trẻ em: thông tin người đi khai, trẻ, mẹ và cha.",
    signer="requester_name",
    steps=(
        Step("Người đi khai", (
            Field("requester_name", "Họ, chữ đệm, tên người yêu cầu", "name", prefill="full_name",
                  help="Người đến làm thủ tục (thường là cha hoặc mẹ)."),
            Field("requester_id", "Số định danh cá nhân", "id12", prefill="id_number", help=ID_HELP),
            Field("requester_residence", "Nơi cư trú", "address", prefill="address",
                  help=RESIDENCE_HELP, max_length=200),
            Field("requester_relation", "Quan hệ với người được khai sinh", "choice",
                  options=("Mẹ", "Cha", "Ông", "Bà", "Người thân thích khác", "Người được ủy quyền")),
        ), help="Có thể quét mã QR trên thẻ căn cước để điền sẵn."),
        Step("Người được khai sinh", (
            Field("child_name", "Họ, chữ đệm, tên", "name", upper=True,
                  help="Ghi đúng họ tên đặt cho trẻ; tờ khai in bằng chữ in hoa."),
            Field("child_birth_date", "Ngày, tháng, năm sinh", "date",
                  help="Ngày/tháng/năm, ví dụ 05/09/2024."),
            Field("child_gender", "Giới tính", "choice", options=GENDERS),
            Field("child_ethnicity", "Dân tộc", default="Kinh", help=ETHNICITY_HELP, max_length=40),
            Field("child_nationality", "Quốc tịch", default="Việt Nam", max_length=60),
            Field("child_birth_place", "Nơi sinh", "address", max_length=200,
                  help="Tên bệnh viện/cơ sở y tế và tỉnh, thành phố; hoặc địa chỉ nơi sinh."),
            Field("child_hometown", "Quê quán", "address", max_length=200, required=False,
                  help="Theo quê quán của cha hoặc mẹ (theo thỏa thuận)."),
        )),
        Step("Thông tin người mẹ", (
            Field("mother_name", "Họ, chữ đệm, tên người mẹ", "name"),
            Field("mother_birth_year", "Năm sinh", "year", help="Ví dụ: 1995."),
            Field("mother_ethnicity", "Dân tộc", default="Kinh", help=ETHNICITY_HELP, max_length=40),
            Field("mother_nationality", "Quốc tịch", default="Việt Nam", max_length=60),
            Field("mother_residence", "Nơi cư trú", "address", max_length=200, help=RESIDENCE_HELP),
        )),
        Step("Thông tin người cha", (
            Field("father_name", "Họ, chữ đệm, tên người cha", "name", required=False,
                  help="Để trống nếu chưa xác định được cha."),
            Field("father_birth_year", "Năm sinh", "year", required=False),
            Field("father_ethnicity", "Dân tộc", required=False, max_length=40, help=ETHNICITY_HELP),
            Field("father_nationality", "Quốc tịch", required=False, max_length=60),
            Field("father_residence", "Nơi cư trú", "address", required=False, max_length=200),
        ), help="Bỏ trống cả trang nếu chưa xác định được cha."),
        Step("Bản sao và nơi nộp", (
            Field("copies_wanted", "Đề nghị cấp bản sao Giấy khai sinh", "choice",
                  options=("Có", "Không"), default="Không"),
            Field("copies_count", "Số bản sao", "number", required=False, min=1, max=20),
            _authority(),
        )),
    ),
    rules=(
        Rule("not_future", ("child_birth_date",), "Ngày sinh của trẻ không được sau ngày hôm nay."),
        Rule("year_gap", ("mother_birth_year", "child_birth_date"),
             "Năm sinh của mẹ phải trước năm sinh của trẻ ít nhất 12 năm; hãy kiểm tra lại.", 12),
        Rule("year_gap", ("father_birth_year", "child_birth_date"),
             "Năm sinh của cha phải trước năm sinh của trẻ ít nhất 12 năm; hãy kiểm tra lại.", 12),
        Rule("required_with", ("father_birth_year", "father_name"), "Vui lòng nhập năm sinh của cha."),
        Rule("required_with", ("father_residence", "father_name"), "Vui lòng nhập nơi cư trú của cha."),
        Rule("required_if", ("copies_count", "copies_wanted"), "Vui lòng nhập số bản sao cần cấp.", "Có"),
    ),
    copies=(
        Copy("requester_relation", "Mẹ", (("mother_name", "requester_name"),
                                          ("mother_residence", "requester_residence"))),
        Copy("requester_relation", "Cha", (("father_name", "requester_name"),
                                           ("father_residence", "requester_residence"))),
    ),
    extra={"date_words": ("child_birth_date",)},
    uncertain="Thông tư 04/2024/TT-BTP có thể đã bổ sung ô (ví dụ số định danh của cha, mẹ); "
              "mục giấy tờ tùy thân được rút gọn thành số định danh cá nhân.",
)

KET_HON = FormDef(
    code="ket-hon",
    title="Tờ khai đăng ký kết hôn",
    procedures=("1.000894", "2.000806"),
    form_ref="TK-KH",
    basis="Mẫu ban hành kèm Thông tư 04/2020/TT-BTP (đã được sửa đổi, bổ sung)",
    summary="Hai bên nam, nữ cùng khai; mỗi bên có thể quét thẻ căn cước của mình.",
    signer="bride_name",
    steps=(
        Step("Bên nữ", (
            Field("bride_name", "Họ, chữ đệm, tên", "name", prefill="full_name"),
            Field("bride_birth_date", "Ngày, tháng, năm sinh", "date", prefill="birth_date"),
            Field("bride_ethnicity", "Dân tộc", default="Kinh", help=ETHNICITY_HELP, max_length=40),
            Field("bride_nationality", "Quốc tịch", default="Việt Nam", max_length=60),
            Field("bride_residence", "Nơi cư trú", "address", prefill="address", max_length=200,
                  help=RESIDENCE_HELP),
            Field("bride_id", "Số định danh cá nhân", "id12", prefill="id_number", help=ID_HELP),
            Field("bride_marriage_no", "Kết hôn lần thứ mấy", "number", min=1, max=9, default="1"),
        ), help="Người nữ có thể quét mã QR trên thẻ căn cước của mình ở trang này."),
        Step("Bên nam", (
            Field("groom_name", "Họ, chữ đệm, tên", "name", prefill="full_name"),
            Field("groom_birth_date", "Ngày, tháng, năm sinh", "date", prefill="birth_date"),
            Field("groom_ethnicity", "Dân tộc", default="Kinh", help=ETHNICITY_HELP, max_length=40),
            Field("groom_nationality", "Quốc tịch", default="Việt Nam", max_length=60),
            Field("groom_residence", "Nơi cư trú", "address", prefill="address", max_length=200,
                  help=RESIDENCE_HELP),
            Field("groom_id", "Số định danh cá nhân", "id12", prefill="id_number", help=ID_HELP),
            Field("groom_marriage_no", "Kết hôn lần thứ mấy", "number", min=1, max=9, default="1"),
        ), help="Người nam có thể quét mã QR trên thẻ căn cước của mình ở trang này."),
        Step("Bản sao và nơi nộp", (
            Field("copies_wanted", "Đề nghị cấp bản sao Giấy chứng nhận kết hôn", "choice",
                  options=("Có", "Không"), default="Không"),
            Field("copies_count", "Số bản sao", "number", required=False, min=1, max=20),
            _authority(),
        )),
    ),
    rules=(
        Rule("not_future", ("bride_birth_date",), "Ngày sinh bên nữ không được sau ngày hôm nay."),
        Rule("not_future", ("groom_birth_date",), "Ngày sinh bên nam không được sau ngày hôm nay."),
        Rule("min_age", ("bride_birth_date",), "Bên nữ phải từ đủ 18 tuổi (Luật Hôn nhân và gia đình, "
             "Điều 8).", 18),
        Rule("min_age", ("groom_birth_date",), "Bên nam phải từ đủ 20 tuổi (Luật Hôn nhân và gia đình, "
             "Điều 8).", 20),
        Rule("differ", ("groom_id", "bride_id"), "Số định danh của hai bên không được trùng nhau."),
        Rule("required_if", ("copies_count", "copies_wanted"), "Vui lòng nhập số bản sao cần cấp.", "Có"),
    ),
    uncertain="Mẫu có ô “Giấy tờ tùy thân” (loại, số, ngày cấp, nơi cấp); kiosk chỉ ghi số định "
              "danh cá nhân. Cách ghi “kết hôn lần thứ mấy” chưa đối chiếu bản mẫu mới nhất.",
)

CT01 = FormDef(
    code="ct01",
    title="Tờ khai thay đổi thông tin cư trú (Mẫu CT01)",
    procedures=("1.004222", "1.004194", "1.002755", "1.003677", "1.010038"),
    form_ref="CT01",
    basis="Mẫu CT01 ban hành kèm Thông tư 56/2021/TT-BCA, sửa đổi bởi Thông tư 66/2023/TT-BCA",
    summary="Đăng ký thường trú, tạm trú, gia hạn tạm trú, tách hộ, khai báo tạm vắng…",
    signer="full_name",
    steps=(
        Step("Người khai", (
            Field("full_name", "Họ, chữ đệm và tên", "name", prefill="full_name", upper=True),
            Field("birth_date", "Ngày, tháng, năm sinh", "date", prefill="birth_date"),
            Field("gender", "Giới tính", "choice", options=GENDERS, prefill="gender"),
            Field("id_number", "Số định danh cá nhân", "id12", prefill="id_number", help=ID_HELP),
            Field("phone", "Số điện thoại liên hệ", "phone", help="Ví dụ: 0912 345 678."),
            Field("email", "Email", "email", required=False, max_length=254),
        ), help="Có thể quét mã QR trên thẻ căn cước để điền sẵn."),
        Step("Chủ hộ", (
            Field("head_name", "Họ, chữ đệm và tên chủ hộ", "name", upper=True,
                  help="Chủ hộ của hộ gia đình nơi đăng ký; nếu bạn là chủ hộ, ghi tên bạn."),
            Field("head_relation", "Mối quan hệ với chủ hộ", "choice",
                  options=("Chủ hộ", "Vợ", "Chồng", "Con", "Cha", "Mẹ", "Ông", "Bà", "Cháu",
                           "Anh", "Chị", "Em", "Khác")),
            Field("head_id", "Số định danh cá nhân của chủ hộ", "id12", help=ID_HELP),
        )),
        Step("Nội dung đề nghị", (
            Field("request_kind", "Thủ tục đề nghị", "choice",
                  options=("Đăng ký thường trú", "Đăng ký tạm trú", "Gia hạn tạm trú", "Tách hộ",
                           "Khai báo tạm vắng", "Điều chỉnh thông tin về cư trú", "Khác")),
            Field("request", "Nội dung đề nghị", "textarea", max_length=1000,
                  help="Ghi rõ, ví dụ: Đăng ký thường trú vào hộ ông Nguyễn Văn A tại số 12 "
                       "Lê Lợi, phường Bến Nghé, TP. Hồ Chí Minh."),
        )),
        Step("Thành viên cùng thay đổi (nếu có)", (
            Field("member1_name", "Thành viên 1 — họ, chữ đệm và tên", "name", required=False),
            Field("member1_birth_date", "Thành viên 1 — ngày sinh", "date", required=False),
            Field("member1_gender", "Thành viên 1 — giới tính", "choice", options=GENDERS, required=False),
            Field("member1_id", "Thành viên 1 — số định danh cá nhân", "id12", required=False),
            Field("member1_relation", "Thành viên 1 — quan hệ với chủ hộ", required=False, max_length=40),
            Field("member2_name", "Thành viên 2 — họ, chữ đệm và tên", "name", required=False),
            Field("member2_birth_date", "Thành viên 2 — ngày sinh", "date", required=False),
            Field("member2_gender", "Thành viên 2 — giới tính", "choice", options=GENDERS, required=False),
            Field("member2_id", "Thành viên 2 — số định danh cá nhân", "id12", required=False),
            Field("member2_relation", "Thành viên 2 — quan hệ với chủ hộ", required=False, max_length=40),
        ), help="Bỏ trống nếu chỉ mình bạn thay đổi. Trẻ chưa có số định danh thì bỏ trống ô đó."),
        Step("Nơi nộp", (_authority(),)),
    ),
    rules=(
        Rule("not_future", ("birth_date",), "Ngày sinh không được sau ngày hôm nay."),
        Rule("not_future", ("member1_birth_date",), "Ngày sinh thành viên 1 không được sau ngày hôm nay."),
        Rule("not_future", ("member2_birth_date",), "Ngày sinh thành viên 2 không được sau ngày hôm nay."),
        Rule("required_with", ("member1_birth_date", "member1_name"), "Vui lòng nhập ngày sinh thành viên 1."),
        Rule("required_with", ("member1_gender", "member1_name"), "Vui lòng chọn giới tính thành viên 1."),
        Rule("required_with", ("member1_relation", "member1_name"),
             "Vui lòng ghi quan hệ của thành viên 1 với chủ hộ."),
        Rule("required_with", ("member2_birth_date", "member2_name"), "Vui lòng nhập ngày sinh thành viên 2."),
        Rule("required_with", ("member2_gender", "member2_name"), "Vui lòng chọn giới tính thành viên 2."),
        Rule("required_with", ("member2_relation", "member2_name"),
             "Vui lòng ghi quan hệ của thành viên 2 với chủ hộ."),
        Rule("required_with", ("member1_name", "member2_name"), "Hãy điền thành viên 1 trước thành viên 2."),
    ),
    copies=(Copy("head_relation", "Chủ hộ", (("head_name", "full_name"), ("head_id", "id_number"))),),
    uncertain="Mẫu giấy còn phần ý kiến của chủ hộ, chủ sở hữu chỗ ở hợp pháp và cha, mẹ hoặc "
              "người giám hộ (ký trực tiếp); bảng thành viên có thể dài hơn hai dòng.",
)

HO_KINH_DOANH = FormDef(
    code="ho-kinh-doanh",
    title="Giấy đề nghị đăng ký hộ kinh doanh",
    procedures=("1.001612",),
    form_ref="GDN-HKD",
    basis="Phụ lục III-1 Thông tư 01/2021/TT-BKHĐT; mẫu mới theo Thông tư 68/2025/TT-BTC (chưa xác minh số mẫu)",
    summary="Đăng ký thành lập hộ kinh doanh: chủ hộ, tên, địa điểm, ngành nghề, vốn.",
    signer="owner_name",
    steps=(
        Step("Chủ hộ kinh doanh", (
            Field("owner_name", "Họ và tên (chữ in hoa)", "name", prefill="full_name", upper=True),
            Field("owner_gender", "Giới tính", "choice", options=GENDERS, prefill="gender"),
            Field("owner_birth_date", "Sinh ngày", "date", prefill="birth_date"),
            Field("owner_ethnicity", "Dân tộc", default="Kinh", help=ETHNICITY_HELP, max_length=40),
            Field("owner_nationality", "Quốc tịch", default="Việt Nam", max_length=60),
            Field("owner_id", "Số định danh cá nhân", "id12", prefill="id_number", help=ID_HELP),
        ), help="Có thể quét mã QR trên thẻ căn cước để điền sẵn."),
        Step("Địa chỉ và liên lạc", (
            Field("owner_residence", "Địa chỉ thường trú", "address", prefill="address",
                  max_length=200, help=RESIDENCE_HELP),
            Field("owner_contact", "Địa chỉ liên lạc", "address", max_length=200, required=False,
                  help="Bỏ trống nếu giống địa chỉ thường trú."),
            Field("owner_phone", "Điện thoại", "phone"),
            Field("owner_email", "Email", "email", required=False, max_length=254),
        )),
        Step("Hộ kinh doanh", (
            Field("business_name", "Tên hộ kinh doanh (chữ in hoa)", upper=True, max_length=150,
                  help="Ví dụ: HỘ KINH DOANH TẠP HÓA AN BÌNH."),
            Field("business_address", "Địa chỉ trụ sở hộ kinh doanh", "address", max_length=200,
                  help=RESIDENCE_HELP),
            Field("business_phone", "Điện thoại của hộ kinh doanh", "phone", required=False),
            Field("business_lines", "Ngành, nghề kinh doanh", "textarea", max_length=1000,
                  help="Ví dụ: Bán lẻ lương thực, thực phẩm, đồ uống trong cửa hàng."),
        )),
        Step("Vốn, lao động, thuế", (
            Field("capital", "Vốn kinh doanh (đồng)", "money", min=1,
                  help="Ghi bằng số, ví dụ 50.000.000."),
            Field("workers", "Số lượng lao động (người)", "number", min=0, max=9999),
            Field("start_date", "Ngày bắt đầu hoạt động", "date", required=False),
            Field("tax_method", "Phương pháp tính thuế", "choice", required=False,
                  options=("Khoán", "Kê khai")),
            _authority(),
        )),
    ),
    rules=(
        Rule("not_future", ("owner_birth_date",), "Ngày sinh không được sau ngày hôm nay."),
        Rule("min_age", ("owner_birth_date",), "Chủ hộ kinh doanh phải từ đủ 18 tuổi.", 18),
        Rule("not_before", ("start_date", "owner_birth_date"),
             "Ngày bắt đầu hoạt động không thể trước ngày sinh của chủ hộ."),
    ),
    uncertain="Sau khi Thông tư 68/2025/TT-BTC có hiệu lực, tên cơ quan nhận (UBND cấp xã) và một "
              "số ô (đăng ký thuế, chủ sở hữu hưởng lợi) có thể khác; cán bộ kiểm tra khi nhận.",
)

FORMS: dict[str, FormDef] = {f.code: f for f in (KHAI_SINH, KET_HON, CT01, HO_KINH_DOANH)}


def get_form(code: str) -> FormDef | None:
    return FORMS.get(code) if isinstance(code, str) else None


def forms_for_procedure(procedure_code: str) -> list[FormDef]:
    return [f for f in FORMS.values() if procedure_code in f.procedures]
