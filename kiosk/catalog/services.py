"""Default queue service codes that catalogue records point at.

A procedure's ``service`` names the queue service (the counter group) that receives it, so the kiosk
can go from "I found my procedure" straight to "take a ticket for it".  Centres configure their own
services; these are the defaults the sample catalogue uses and that ``make run`` should create.

=====  ===================================  ===========================================
code   service (Vietnamese)                 procedures in the sample catalogue
=====  ===================================  ===========================================
HT     Hộ tịch – nuôi con nuôi              khai sinh, kết hôn, khai tử, xác nhận TTHN…
CT     Chứng thực                           bản sao, chữ ký, di chúc
CA     Cư trú (Công an cấp xã)              thường trú, tạm trú, tạm vắng, tách hộ
KD     Đăng ký hộ kinh doanh                thành lập hộ kinh doanh
DD     Đất đai                              cấp đổi Giấy chứng nhận
XD     Xây dựng                             giấy phép xây dựng nhà ở riêng lẻ
LL     Lý lịch tư pháp                      phiếu lý lịch tư pháp
XH     Lao động – bảo trợ xã hội            trợ cấp xã hội hằng tháng
=====  ===================================  ===========================================
"""

from __future__ import annotations

import re

DEFAULT_SERVICES: dict[str, str] = {
    "HT": "Hộ tịch – nuôi con nuôi",
    "CT": "Chứng thực",
    "CA": "Cư trú (Công an cấp xã)",
    "KD": "Đăng ký hộ kinh doanh",
    "DD": "Đất đai",
    "XD": "Xây dựng",
    "LL": "Lý lịch tư pháp",
    "XH": "Lao động – bảo trợ xã hội",
}

#: A service code is what the queue server's ``/api/v1/services`` calls ``code``.
SERVICE_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")
