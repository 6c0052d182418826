"""Synthetic corpora of reform plans and resolutions, deterministic from a seed.

Documents are issued by provinces, districts and communes (the administrative map from
``loaders.admin``), with varied numbers, dates, agencies and roles, targets tied to
indicators, citations of central documents and of other generated documents (a district plan
implements its province's plan), an appendix table of tasks, and conversion noise (lost
diacritics, hard-wrapped lines, page numbers, stray spaces). Sentences are written for this
generator; none is taken from a real document.

    python benchmarks/synth.py OUT_DIR --docs 1000 --seed 7
"""

from __future__ import annotations

import argparse
import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cchc_graph.loaders.admin import units

CENTRAL = [  # (kind, number, date, issuer, subject): real central documents, cited by number
    ("Nghị quyết", "76/NQ-CP", "15/7/2021", "Chính phủ", "ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030"),
    ("Nghị định", "61/2018/NĐ-CP", "23/4/2018", "Chính phủ", "về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính"),
    ("Nghị định", "45/2020/NĐ-CP", "08/4/2020", "Chính phủ", "về thực hiện thủ tục hành chính trên môi trường điện tử"),
    ("Nghị định", "107/2021/NĐ-CP", "06/12/2021", "Chính phủ", "sửa đổi, bổ sung một số điều của Nghị định số 61/2018/NĐ-CP"),
    ("Quyết định", "06/QĐ-TTg", "06/01/2022", "Thủ tướng Chính phủ", "phê duyệt Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử"),
    ("Chỉ thị", "23/CT-TTg", "02/9/2021", "Thủ tướng Chính phủ", "về đẩy mạnh triển khai Chương trình tổng thể cải cách hành chính nhà nước"),
    ("Kết luận", "01-KL/TW", "18/5/2021", "Bộ Chính trị", "về tiếp tục thực hiện Chỉ thị số 05-CT/TW"),
]
LEAD_AGENCIES = ["Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Khoa học và Công nghệ",
                 "Sở Thông tin và Truyền thông", "Sở Kế hoạch và Đầu tư", "Văn phòng Ủy ban nhân dân tỉnh",
                 "Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Tài nguyên và Môi trường", "Thanh tra tỉnh",
                 "Sở Lao động - Thương binh và Xã hội", "Công an tỉnh", "Sở Xây dựng"]
DISTRICT_AGENCIES = ["Phòng Nội vụ", "Phòng Tư pháp", "Phòng Tài chính - Kế hoạch", "Văn phòng HĐND và UBND",
                     "Phòng Văn hóa và Thông tin", "Phòng Giáo dục và Đào tạo", "Phòng Tài nguyên và Môi trường",
                     "Phòng Kinh tế", "Thanh tra huyện", "Phòng Lao động - Thương binh và Xã hội"]
COMMUNE_AGENCIES = ["công chức Văn phòng - Thống kê", "công chức Tư pháp - Hộ tịch", "công chức Tài chính - Kế toán",
                    "công chức Địa chính - Xây dựng", "Bộ phận tiếp nhận và trả kết quả"]
AREAS = [
    ("Cải cách thể chế", ["rà soát, hệ thống hóa văn bản quy phạm pháp luật do địa phương ban hành",
                          "nâng cao chất lượng thẩm định dự thảo văn bản trước khi trình ban hành",
                          "kiểm tra, xử lý văn bản có nội dung trái pháp luật"]),
    ("Cải cách thủ tục hành chính", ["rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền",
                                      "công khai đầy đủ thủ tục hành chính tại bộ phận một cửa",
                                      "tiếp nhận, xử lý phản ánh, kiến nghị của người dân và doanh nghiệp"]),
    ("Cải cách tổ chức bộ máy", ["sắp xếp tổ chức bên trong các cơ quan chuyên môn",
                                 "tinh giản biên chế gắn với vị trí việc làm",
                                 "đánh giá mô hình tổ chức và hiệu quả hoạt động của đơn vị sự nghiệp"]),
    ("Xây dựng đội ngũ cán bộ, công chức, viên chức", ["bồi dưỡng kỹ năng giao tiếp, ứng xử cho công chức làm việc tại bộ phận một cửa",
                                                       "tuyển dụng, đánh giá công chức theo vị trí việc làm",
                                                       "siết chặt kỷ luật, kỷ cương hành chính"]),
    ("Cải cách tài chính công", ["thực hiện cơ chế tự chủ tài chính của đơn vị sự nghiệp công lập",
                                 "quản lý, sử dụng tài sản công tiết kiệm, hiệu quả"]),
    ("Xây dựng chính quyền điện tử, chính quyền số", ["cung cấp dịch vụ công trực tuyến toàn trình",
                                                      "số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
                                                      "kết nối, chia sẻ dữ liệu với cơ sở dữ liệu quốc gia về dân cư"]),
    ("Công tác thông tin, tuyên truyền", ["tuyên truyền về cải cách hành chính trên các phương tiện thông tin đại chúng",
                                          "tổ chức hội thi tìm hiểu về cải cách hành chính"]),
]
TARGETS = [
    ("hồ sơ thủ tục hành chính được giải quyết đúng hạn", [90, 95, 98, 100]),
    ("thủ tục hành chính đủ điều kiện được cung cấp dưới dạng dịch vụ công trực tuyến toàn trình", [70, 80, 90]),
    ("hồ sơ được số hóa kết quả giải quyết thủ tục hành chính", [60, 80, 100]),
    ("mức độ hài lòng của người dân, doanh nghiệp đối với sự phục vụ của cơ quan hành chính nhà nước (SIPAS)", [85, 90, 95]),
    ("cán bộ, công chức cấp xã đạt chuẩn theo quy định", [90, 95, 100]),
]
RANKS = [("Chỉ số cải cách hành chính (PAR INDEX)", [10, 20, 30]), ("Chỉ số PCI", [15, 20, 30]),
         ("Chỉ số PAPI", [20, 30]), ("Chỉ số chuyển đổi số (DTI)", [10, 20, 30])]
DEADLINES = ["Quý {q}/{y}", "trước ngày 15 tháng 12 năm {y}", "năm {y}", "thường xuyên",
             "trước tháng 6/{y}", "hằng quý"]
REVIEW = [  # pieces of the review of the previous year, combined at random
    "Công tác chỉ đạo, điều hành cải cách hành chính được quan tâm thực hiện thường xuyên",
    "việc kiểm tra, đôn đốc tại các cơ quan, đơn vị được duy trì theo kế hoạch",
    "tỷ lệ hồ sơ giải quyết trễ hạn giảm so với cùng kỳ năm trước",
    "một số đơn vị còn chậm cập nhật tình hình xử lý hồ sơ lên hệ thống thông tin giải quyết thủ tục hành chính",
    "việc ứng dụng công nghệ thông tin trong quản lý văn bản và hồ sơ công việc có nhiều chuyển biến",
    "chất lượng đội ngũ công chức làm việc tại bộ phận một cửa từng bước được nâng lên",
    "kinh phí bảo đảm cho công tác cải cách hành chính còn hạn chế",
    "nhận thức của một bộ phận cán bộ về vai trò của cải cách hành chính chưa đầy đủ",
    "việc công khai, minh bạch thông tin về thủ tục hành chính được thực hiện nghiêm túc",
    "số lượng hồ sơ nộp trực tuyến tăng nhưng chưa tương xứng với số dịch vụ công đã cung cấp",
]
DETAILS = [
    "Nội dung thực hiện phải cụ thể, có sản phẩm rõ ràng và gắn với trách nhiệm của người đứng đầu.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc thì kịp thời báo cáo để được hướng dẫn.",
    "Kết quả thực hiện là một tiêu chí để đánh giá mức độ hoàn thành nhiệm vụ của cơ quan, đơn vị.",
    "Việc triển khai bảo đảm đồng bộ, tiết kiệm và phù hợp với điều kiện thực tế của địa phương.",
]
COMMUNES = ["Tân Phú", "Bình An", "Hòa Lợi", "Phú Mỹ", "Long Hưng", "Thạnh Xuân", "Vĩnh Thuận", "An Bình",
            "Đông Hòa", "Tây Sơn", "Hưng Thịnh", "Phước Lộc", "Mỹ Khánh", "Tân Lập", "Quang Trung"]


@dataclass(frozen=True)
class Issued:
    """A generated document others may cite."""

    number: str
    date: str
    issuer: str
    unit_id: str
    year: int


def _strip_accents(text: str) -> str:
    t = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in t if unicodedata.category(c) != "Mn")


def _noisy(text: str, rng: random.Random, level: float) -> str:
    """Conversion noise: a line without diacritics, hard wraps, page numbers, double spaces."""
    out = []
    for i, line in enumerate(text.split("\n")):
        r = rng.random()
        if r < level * 0.08:
            line = _strip_accents(line)
        elif r < level * 0.2 and len(line) > 120:
            cut = line.rfind(" ", 0, 80)
            line = line[:cut] + "\n" + line[cut + 1:]
        elif r < level * 0.25:
            line = line.replace(" ", "  ", 1)
        out.append(line)
        if i and i % 60 == 0 and rng.random() < level:
            out.append(str(i // 60 + 1))
    return "\n".join(out)


class Generator:
    def __init__(self, seed: int, provinces: int | None = None) -> None:
        self.rng = random.Random(seed)
        all_units = sorted(units().values(), key=lambda u: u.id)
        self.provinces = [u for u in all_units if u.level == "province" and u.id.startswith("vn-")]
        if provinces:  # a few places: their documents implement each other's plans more often
            self.provinces = [u for u in self.provinces if self.districts_of(all_units, u.id)][:provinces]
        self.districts: dict[str, list] = {}
        for u in all_units:
            if u.level == "district":
                self.districts.setdefault(u.parent, []).append(u)
        self.issued: dict[str, list[Issued]] = {}  # unit id → documents it issued

    @staticmethod
    def districts_of(all_units: list, province: str) -> bool:
        return any(u.level == "district" and u.parent == province for u in all_units)

    def _unit(self) -> tuple[str, object, str | None]:
        p = self.rng.choice(self.provinces)
        level = self.rng.choices(["province", "district", "commune"], [3, 5, 2])[0]
        if level == "province" or not self.districts.get(p.id):
            return "province", p, None
        d = self.rng.choice(self.districts[p.id])
        return level, d, (self.rng.choice(COMMUNES) if level == "commune" else None)

    def document(self, i: int) -> tuple[str, str]:
        rng = self.rng
        level, unit, commune = self._unit()
        year = rng.randint(2019, 2025)
        kind = rng.choices(["Kế hoạch", "Quyết định", "Nghị quyết"], [6, 2, 2])[0]
        code = {"Kế hoạch": "KH", "Quyết định": "QĐ", "Nghị quyết": "NQ"}[kind]
        seq = rng.randint(1, 480)
        if level == "province":
            issuer, place = f"ỦY BAN NHÂN DÂN\n{unit.name.upper()}", unit.short
            agencies, top = LEAD_AGENCIES, f"Ủy ban nhân dân {unit.type} {unit.short}"
        elif level == "district":
            issuer, place = f"ỦY BAN NHÂN DÂN\n{unit.name.upper()}", unit.short
            agencies, top = DISTRICT_AGENCIES, f"Ủy ban nhân dân {unit.type} {unit.short}"
        else:
            issuer, place = f"ỦY BAN NHÂN DÂN {unit.name.upper()}\nỦY BAN NHÂN DÂN XÃ {commune.upper()}", commune
            agencies, top = COMMUNE_AGENCIES, f"Ủy ban nhân dân xã {commune}"
        number = f"{seq}/{code}-UBND"
        day, month = rng.randint(1, 28), rng.randint(1, 12)
        date = f"{day:02d}/{month:02d}/{year}"
        parent_id = unit.parent if level != "commune" else unit.id
        parents = [d for d in self.issued.get(parent_id or "", []) if d.year <= year]
        lines = [issuer, f"Số: {number}", f"{place}, ngày {day} tháng {month} năm {year}", "",
                 kind.upper(), f"Về cải cách hành chính nhà nước năm {year}"
                 + (f" trên địa bàn xã {commune}" if commune else ""), ""]
        for k, num, d, who, subject in rng.sample(CENTRAL, rng.randint(2, 4)):
            lines.append(f"Căn cứ {k} số {num} ngày {d} của {who} {subject};")
        if parents:
            p = rng.choice(parents)
            lines.append(f"Thực hiện Kế hoạch số {p.number} ngày {p.date} của {p.issuer} về cải cách "
                         f"hành chính nhà nước năm {p.year},")
        lines += [f"{top} ban hành {kind} với các nội dung sau:", "", "I. KẾT QUẢ NĂM TRƯỚC"]
        for _ in range(rng.randint(20, 34)):
            parts = rng.sample(REVIEW, 4)
            lines.append(parts[0] + "; " + "; ".join(parts[1:]) + ".")
        lines += ["", "II. MỤC ĐÍCH, YÊU CẦU",
                  "1. Mục đích",
                  "Nâng cao hiệu lực, hiệu quả hoạt động của các cơ quan hành chính; lấy người dân, "
                  "doanh nghiệp làm trung tâm phục vụ; tạo chuyển biến rõ nét trong giải quyết thủ tục hành chính.",
                  "2. Yêu cầu",
                  "Xác định rõ nhiệm vụ, thời hạn hoàn thành và trách nhiệm của từng cơ quan, đơn vị; "
                  "gắn kết quả cải cách hành chính với đánh giá, xếp loại người đứng đầu.", "",
                  "III. CHỈ TIÊU CHỦ YẾU"]
        for what, values in rng.sample(TARGETS, rng.randint(2, 4)):
            lines.append(f"- Phấn đấu đến năm {max(year, 2025)} có trên {rng.choice(values)}% {what}.")
        if level == "province":
            name, groups = rng.choice(RANKS)
            lines.append(f"- {name} của tỉnh thuộc nhóm {rng.choice(groups)} tỉnh, thành phố dẫn đầu cả nước.")
        lines += ["", "IV. NHIỆM VỤ TRỌNG TÂM"]
        table = []
        for n, (area, tasks) in enumerate(rng.sample(AREAS, rng.randint(3, 6)), 1):
            lines.append(f"{n}. {area}")
            lines.append(rng.choice(REVIEW).capitalize() + "; " + rng.choice(DETAILS).lower())
            for letter, task in zip("abcdefgh", rng.sample(tasks, rng.randint(1, len(tasks))), strict=False):
                lead, *coop = rng.sample(agencies, 3)
                deadline = rng.choice(DEADLINES).format(q=rng.choice(["I", "II", "III", "IV"]), y=year)
                coop_text = f", phối hợp với {coop[0]} và {coop[1]}" if rng.random() < 0.6 else ""
                if rng.random() < 0.7:  # the agency in the task's sentence, or in a sentence after it
                    lines.append(f"{letter}) {lead} chủ trì{coop_text} {task}; thời gian hoàn thành: "
                                 f"{deadline}. {rng.choice(DETAILS)}")
                else:
                    lines.append(f"{letter}) {task.capitalize()}; kết quả được báo cáo định kỳ và đánh giá "
                                 f"cuối năm. {lead} chủ trì{coop_text} tổ chức thực hiện; thời gian "
                                 f"hoàn thành: {deadline}. {rng.choice(DETAILS)}")
                table.append((task, lead, ", ".join(coop), deadline))
        lines += ["", "V. TỔ CHỨC THỰC HIỆN",
                  f"1. {agencies[0]} là cơ quan thường trực, chủ trì theo dõi, đôn đốc việc thực hiện {kind} "
                  f"này; tổng hợp, báo cáo {top} trước ngày 10 tháng 12 hằng năm.",
                  "2. Các cơ quan, đơn vị căn cứ nhiệm vụ được giao xây dựng kế hoạch chi tiết, "
                  "tổ chức thực hiện và báo cáo kết quả định kỳ hằng quý.", "",
                  "3. Kinh phí thực hiện được bố trí từ dự toán ngân sách hằng năm của các cơ quan, đơn vị "
                  "theo phân cấp và các nguồn hợp pháp khác.", "",
                  "Nơi nhận:", "- Như trên;", "- Lưu: VT.", "", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", ""]
        if rng.random() < 0.4:  # some plans repeat their tasks in an appendix table
            lines += [f"PHỤ LỤC: DANH MỤC NHIỆM VỤ (Kèm theo {kind} số {number})", "",
                      "| STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |",
                      "|---|---|---|---|---|"]
            lines += [f"| {k} | {t.capitalize()} | {lead} | {coop} | {dl} |"
                      for k, (t, lead, coop, dl) in enumerate(table, 1)]
        issued_by = f"Ủy ban nhân dân {unit.type} {unit.short}" if level != "commune" else top
        if level != "commune":
            self.issued.setdefault(unit.id, []).append(Issued(number, date, issued_by, unit.id, year))
        text = _noisy("\n".join(lines) + "\n", rng, 0.5)
        slug = f"{i:06d}_{unit.id}{'-' + _strip_accents(commune).lower().replace(' ', '-') if commune else ''}"
        return slug + ".txt", text


def generate(out: Path, docs: int, seed: int = 7, provinces: int | None = None) -> tuple[int, int]:
    """Write ``docs`` documents into ``out``; returns (files, bytes). Same seed, same files.
    ``provinces``: issued in that many provinces only (more citations between documents)."""
    out.mkdir(parents=True, exist_ok=True)
    gen, total = Generator(seed, provinces), 0
    for i in range(docs):
        name, text = gen.document(i)
        data = text.encode("utf-8")
        (out / name).write_bytes(data)
        total += len(data)
    return docs, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    n, size = generate(a.out, a.docs, a.seed)
    print(f"{n} documents, {size / 1e6:.1f} MB in {a.out}")


if __name__ == "__main__":
    main()
