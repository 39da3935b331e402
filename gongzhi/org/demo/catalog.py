"""The demo town's institutions: partner units, departments, blocks, what partners offer.

Modelled on the seeds (杨行镇's 133 district-level partner organisations, 大场镇's partnership with
上海大学). Names of public bodies are generic descriptions of their function in 宝山区; no
statement about any real body's actual commitments is intended.
"""

from __future__ import annotations

# (name, kind): kind is a PartnerUnit.Kind value.
PARTNER_UNITS: list[tuple[str, str]] = [
    ("宝山区委组织部", "government"),
    ("宝山区民政局", "government"),
    ("宝山区卫生健康委员会", "government"),
    ("宝山区司法局", "government"),
    ("宝山区人力资源和社会保障局", "government"),
    ("宝山区文化和旅游局", "government"),
    ("宝山区教育局", "government"),
    ("宝山区退役军人事务局", "government"),
    ("宝山区税务局", "government"),
    ("宝山区团区委", "government"),
    ("宝山区妇联", "government"),
    ("宝山区残联", "government"),
    ("杨行镇人民法庭", "government"),
    ("上海大学", "university"),
    ("上海大学社会学院", "university"),
    ("上海大学美术学院", "university"),
    ("上海大学亚洲人口研究所", "university"),
    ("宝山区社区治理学院", "university"),
    ("宝山区中西医结合医院", "hospital"),
    ("杨行镇社区卫生服务中心", "hospital"),
    ("宝山区精神卫生中心", "hospital"),
    ("宝山区中医医院杨行分院", "hospital"),
    ("宝武集团宝山基地党委", "enterprise"),
    ("中国移动宝山分公司", "enterprise"),
    ("中国电信宝山分局", "enterprise"),
    ("国网上海市北供电公司", "enterprise"),
    ("上海城投水务宝山分公司", "enterprise"),
    ("上海农商银行杨行支行", "enterprise"),
    ("中国邮政杨行支局", "enterprise"),
    ("杨行镇物业管理协会", "enterprise"),
    ("宝山万达广场", "enterprise"),
    ("杨行科创园", "enterprise"),
    ("宝山巴士公司", "enterprise"),
    ("顺丰速运宝山营业部", "enterprise"),
    ("宝山区律师协会", "social"),
    ("宝山区红十字会", "social"),
    ("杨行镇老年协会", "social"),
    ("杨行镇社会组织服务中心", "social"),
    ("宝山区心理咨询师协会", "social"),
    ("杨行镇慈善超市", "social"),
]

OFFERINGS: list[str] = [
    "每月法律咨询进社区",
    "义诊与健康讲座",
    "困难家庭结对帮扶",
    "暑期青少年托管",
    "活动场地共享",
    "老旧小区微更新设计",
    "“小哥驿站”建设",
    "就业岗位推荐",
    "防诈骗宣传",
    "志愿服务队下沉网格",
    "文化活动送戏进社区",
    "加装电梯政策解读",
    "垃圾分类指导",
    "为老助餐",
    "心理疏导热线",
    "社区规划调研",
]

# (code, name, categories of work routed to it)
DEPARTMENTS: list[tuple[str, str, list[str]]] = [
    ("housing", "房管办", ["房屋维修", "物业管理", "加装电梯", "维修资金", "群租整治"]),
    ("city_management", "城管中队", ["违章搭建", "占道经营", "市容环境", "渣土运输", "绿化养护"]),
    ("environment", "环保办", ["噪声扰民", "油烟污染", "垃圾分类", "河道污染", "废气排放"]),
    ("police", "杨行派出所", ["治安隐患", "邻里纠纷", "电动车盗窃", "非机动车停放", "电信诈骗"]),
    ("market_regulation", "市场监管所", ["食品安全", "消费纠纷", "无证经营", "价格投诉"]),
    ("water", "水务站", ["供水故障", "排水管网堵塞", "积水内涝", "二次供水"]),
    ("planning", "规划土地所", ["规划咨询", "违法用地", "土地征收"]),
    ("safety", "安监所", ["消防通道", "电动车充电", "燃气安全", "生产安全", "高空坠物"]),
    ("grid_centre", "网格化综合管理中心", ["联合执法协调", "街面巡查"]),
]

BLOCKS: list[str] = ["杨行中心街区", "友谊路商圈街区", "富锦路科创街区"]

HUB_HOURS = "周一至周日 8:30-20:00"
CIRCLE_HOURS = "周一至周六 8:30-17:30"
STATION_HOURS = "周一至周五 8:30-17:00，周六 9:00-12:00"

# Demo accounts: username → (display name, role code, where the role sits, post level).
# Units: "subdistrict", "neighborhood" (the first), "micro_grid" / "stairwell" / "compound" (in
# the first neighborhood), "partner_unit" (上海大学), "department" (房管办).
DEMO_ACCOUNTS: list[tuple[str, str, str, str]] = [
    ("admin", "周建国", "subdistrict_admin", ""),
    ("secretary", "陈秀英", "neighborhood_secretary", ""),
    ("socialworker", "王晓雯", "social_worker", "regular"),
    ("gridchief", "李志刚", "grid_chief", ""),
    ("gridworker", "张佳怡", "grid_worker", ""),
    ("stairwellchief", "顾美华", "stairwell_chief", ""),
    ("partygroupchief", "沈卫东", "party_group_chief", ""),
    ("volunteerchief", "刘丽萍", "volunteer_team_chief", ""),
    ("property", "徐海峰", "property_staff", ""),
    ("owners", "吴文德", "owners_committee_member", ""),
    ("partner", "孙悦", "partner_liaison", ""),
    ("department", "郑斌", "department_handler", ""),
    ("blockchief", "韩振华", "block_chief", ""),
]
# The joint team (联合执法, "5+1") of the first neighborhood's block: username, display name and
# the department code each handles for (`department` above handles for 房管办, housing).
JOINT_TEAM: list[tuple[str, str, str]] = [
    ("department", "郑斌", "housing"),
    ("chengguan", "马骏", "city_management"),
    ("shuiwu", "邱桂芳", "water"),
    ("guitu", "江涛", "planning"),
    ("anjian", "葛俊峰", "safety"),
    ("wangge", "闵晓燕", "grid_centre"),
]
# The town's system admin (system_admin role on the subdistrict): a staff account, no superuser.
SYSTEM_ADMIN = ("sysadmin", "系统管理员")
# A second subdistrict admin (subdistrict_admin role, like `admin`): the colleague who adopts the
# fund allocation `admin` previewed, since one account may not do both (core/separation.py).
SUBDISTRICT_COLLEAGUE = ("admin2", "钱慧敏")
