"""The ledger's layout: its columns (Chinese headers, help, examples), the import report and its errors."""

import re
from dataclasses import dataclass, field

from gongzhi.org.models import (
    SensitiveTag,
)

DATA_SHEET = "台账"
HELP_SHEET = "说明"
NEIGHBORHOOD_SHEET = "居民区"
_CHUNK = 900  # stays under SQLite's bound-parameter limit on any build

YES_NO = ("是", "否")
_YES = {"是", "y", "yes", "1", "true", "√", "✓", "有"}
_NO = {"否", "n", "no", "0", "false", "×", "✗", "无"}
GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
GENDER_LABELS = {"M": "男", "F": "女"}
TAG_LABELS = {
    SensitiveTag.ELDERLY_ALONE: "独居老人",
    SensitiveTag.HARDSHIP: "困难家庭",
    SensitiveTag.DISABILITY: "残疾",
    SensitiveTag.HEALTH: "健康关注",
}
TAGS_BY_LABEL = {label: tag.value for tag, label in TAG_LABELS.items()}
NO_TAGS = "无"
FLAGS = ("is_owner", "is_tenant", "is_registered", "lives_here")
TEXT_LIMITS = {"compound": 64, "building": 32, "stairwell": 32, "room": 16, "name": 64}
_MASKED_ID = re.compile(r"^[0-9X*]{18}$")
_MASKED_PHONE = re.compile(r"^1\d{2}\*{4}\d{4}$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool  # the header must be present; cells may still be empty (see _parse_row)
    help: str
    example: str
    choices: tuple[str, ...] = ()
    width: int = 12
    aliases: tuple[str, ...] = ()
    text: bool = False  # Excel must keep it as text (long digit strings, leading zeros)


COLUMNS: tuple[Column, ...] = (
    Column(
        "neighborhood",
        "居民区",
        True,
        "居民区名称或编码，须在您的管辖范围内（见“居民区”表）。",
        "",
        width=14,
        aliases=("社区", "村", "居委会"),
    ),
    Column("compound", "小区", True, "小区名称；该居民区内没有时自动新建。", "示例小区", width=14),
    Column(
        "building", "楼栋", True, "楼栋号，如“12号楼”；该小区内没有时自动新建。", "1号楼", aliases=("楼号",)
    ),
    Column(
        "stairwell",
        "单元",
        False,
        "单元/楼组，可空；该楼栋内没有时自动新建。",
        "1单元",
        aliases=("楼组", "楼道"),
    ),
    Column("room", "室号", True, "室号/房号，同一楼栋内唯一。", "101", aliases=("房号", "门牌号"), text=True),
    Column(
        "floor_area",
        "建筑面积(㎡)",
        False,
        "数字，单位平方米；空表示不修改（新户记为 0）。同一户的各行须一致。",
        "68.5",
        aliases=("面积",),
    ),
    Column("name", "姓名", True, "居民姓名；只填房屋信息、不填居民各列的行表示空户。", "张三", width=10),
    Column("gender", "性别", False, "男/女；空时按身份证号推算。", "男", choices=("男", "女"), width=6),
    Column("birth_date", "出生日期", False, "如 1956-03-08；空时按身份证号推算。", "", text=True),
    Column(
        "id_number",
        "身份证号",
        False,
        "18 位，末位可为 X；请保持文本格式，以免 Excel 丢掉末尾数字。同一文件中不得重复。"
        "导出文件中打码的号码（如 3101**********1234）表示“不修改”，只能用于已登记的居民。",
        "",
        width=22,
        aliases=("身份证", "身份证号码", "证件号码"),
        text=True,
    ),
    Column(
        "phone",
        "手机号",
        False,
        "11 位手机号。打码的号码（如 138****5678）表示“不修改”。",
        "13800000000",
        width=14,
        aliases=("手机", "手机号码", "联系电话", "电话"),
        text=True,
    ),
    Column("is_owner", "业主", False, "是/否；空表示不修改（新居民记为“否”）。", "是", YES_NO, 6),
    Column("is_tenant", "租户", False, "是/否；空表示不修改（新居民记为“否”）。", "否", YES_NO, 6),
    Column(
        "is_registered", "户籍", False, "是/否（户籍人口）；空表示不修改。", "是", YES_NO, 6, ("户籍人口",)
    ),
    Column(
        "lives_here",
        "实住",
        False,
        "是/否（实有人口）；空表示不修改（新居民记为“是”）。",
        "是",
        YES_NO,
        6,
        ("实有人口",),
    ),
    Column(
        "tags",
        "特殊标签",
        False,
        "可空：独居老人、困难家庭、残疾、健康关注，多个用“、”或“,”分隔；填“无”表示清除；空表示不修改。",
        "独居老人",
        width=16,
        aliases=("标签",),
    ),
)
HEADERS = {c.key: c.header for c in COLUMNS}
RESIDENT_KEYS = ("name", "gender", "birth_date", "id_number", "phone", *FLAGS, "tags")
GENERAL_NOTES = (
    "每行一位居民；同一户的多位居民各占一行，房屋信息（居民区、小区、楼栋、单元、室号、建筑面积）重复填写。",
    "只填房屋信息、不填居民各列的行表示空户。",
    "导入是“全有或全无”：任何一行有错，整个文件都不会导入，系统会列出每个错误的行号、列名和原因。",
    "再次导入同一文件只会更新已有记录，不会重复：住户按“楼栋+室号”匹配，居民按身份证号匹配，没有身份证号时按“住户+姓名”匹配。",
    "导出文件中身份证号和手机号是打码的；再次导入时，打码的号码表示“不修改”，只能用于已登记的居民。",
    "第 2 行是示例，填写前请删除。带 * 的列为必填列。",
)


@dataclass
class RowError:
    row: int | None  # as Excel shows it; None for problems with the file as a whole
    column: str
    reason: str


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportReport:
    filename: str = ""
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    households: Counts = field(default_factory=Counts)
    residents: Counts = field(default_factory=Counts)
    places_created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return self.households.created + self.residents.created

    @property
    def updated(self) -> int:
        return self.households.updated + self.residents.updated

    @property
    def unchanged(self) -> int:
        return self.households.unchanged + self.residents.unchanged

    def fail(self, row: int | None, key_or_header: str, reason: str) -> None:
        self.errors.append(RowError(row, HEADERS.get(key_or_header, key_or_header), reason))


class LedgerFileError(Exception):
    """The file as a whole cannot be read; nothing row by row can be said about it."""
