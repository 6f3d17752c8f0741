"""Fixed facts for the demo district that `manage.py seed_demo` builds: names, places, checklist.

Modelled on Taijiang district (台江区), Fuzhou, where the programme runs as described here:
14 financial partners led by 福建海峡银行, 福州农商银行 and 兴业银行; 30 law firms led by 闽众,
国浩, 锦天城 and 纵然; a district service window, a talent home in the Strait financial business
district, and housing-expropriation command posts at 凤凰新村 and 上海西新村. Street and community
names follow the district's real divisions where public sources give them; the rest are plausible.
Everything here is data only, so that the generator stays short and the names are easy to review.
"""

from datetime import date

DISTRICT = "台江区"
CITY = "福州市"
# The district's administrative division code; unified social credit codes of local firms carry it.
DISTRICT_DIVISION_CODE = "350103"
CITY_DIVISION_CODE = "350100"
PROVINCE_DIVISION_CODE = "350000"

# Each street: its division code, the centre used to scatter coordinates, its roads and communities.
STREETS = [
    {
        "name": "瀛洲街道",
        "code": "350103001",
        "centre": (26.0560, 119.3200),
        "roads": ["六一中路", "排尾路", "江滨中大道", "光明南路", "瀛洲路"],
        "communities": ["滨江社区", "光明社区", "红星社区", "瀛东社区", "建海社区"],
    },
    {
        "name": "后洲街道",
        "code": "350103002",
        "centre": (26.0570, 119.3000),
        "roads": ["中亭街", "八一七中路", "学军路", "达江路", "江滨西大道"],
        "communities": [
            "中亭街东社区",
            "中亭街西社区",
            "天华社区",
            "大同社区",
            "迎晖社区",
            "安平社区",
        ],
    },
    {
        "name": "义洲街道",
        "code": "350103003",
        "centre": (26.0620, 119.2870),
        "roads": ["工业路", "白马南路", "白马中路", "洋中路", "江滨西大道"],
        "communities": ["浦东社区", "奋斗社区", "保兴社区", "泰山社区", "浦西社区"],
    },
    {
        "name": "上海街道",
        "code": "350103005",
        "centre": (26.0700, 119.2850),
        "roads": ["上浦路", "工业路", "西二环南路", "凤凰路"],
        "communities": ["上海社区", "上海新村社区", "凤凰社区", "西兴社区", "大根社区"],
    },
    {
        "name": "苍霞街道",
        "code": "350103006",
        "centre": (26.0530, 119.3060),
        "roads": ["上杭路", "下杭路", "隆平路", "三保街", "江滨中大道"],
        "communities": ["中平社区", "万侯社区", "三保社区", "河下社区", "苍霞新城社区"],
    },
    {
        "name": "鳌峰街道",
        "code": "350103009",
        "centre": (26.0520, 119.3350),
        "roads": ["鳌峰路", "江滨中大道", "福光南路", "鳌兴路"],
        "communities": ["昌顺社区", "振兴社区", "实验社区", "鳌峰洲社区", "帮洲社区"],
    },
]

SKILLS = ["征迁", "知识产权", "股权", "融资", "租赁纠纷", "婚姻家事", "劳动争议", "合同纠纷"]
# Which tags a finance or a legal assistant plausibly carries.
SKILLS_BY_SPECIALTY = {
    "finance": ["融资", "征迁", "股权"],
    "legal": ["征迁", "知识产权", "股权", "租赁纠纷", "婚姻家事", "劳动争议", "合同纠纷"],
}

# Financial partners: (full name, short name, kind, seconding weight, division of registration).
# The weight is how large a share of the finance assistants the partner seconds.
FINANCE_PARTNERS = [
    ("福建海峡银行股份有限公司", "海峡银行", "bank", 16, PROVINCE_DIVISION_CODE),
    ("福州农村商业银行股份有限公司", "福州农商银行", "bank", 16, CITY_DIVISION_CODE),
    ("兴业银行股份有限公司福州分行", "兴业银行", "bank", 14, CITY_DIVISION_CODE),
    ("中国工商银行股份有限公司福州台江支行", "工商银行台江支行", "bank", 8, DISTRICT_DIVISION_CODE),
    ("中国农业银行股份有限公司福州台江支行", "农业银行台江支行", "bank", 8, DISTRICT_DIVISION_CODE),
    ("中国银行股份有限公司福州市台江支行", "中国银行台江支行", "bank", 8, DISTRICT_DIVISION_CODE),
    ("中国建设银行股份有限公司福州台江支行", "建设银行台江支行", "bank", 8, DISTRICT_DIVISION_CODE),
    ("招商银行股份有限公司福州分行", "招商银行", "bank", 6, CITY_DIVISION_CODE),
    ("中信银行股份有限公司福州分行", "中信银行", "bank", 6, CITY_DIVISION_CODE),
    ("中国人民财产保险股份有限公司福州市分公司", "人保财险", "insurer", 5, CITY_DIVISION_CODE),
    ("中国人寿保险股份有限公司福州分公司", "中国人寿", "insurer", 5, CITY_DIVISION_CODE),
    ("中国平安财产保险股份有限公司福建分公司", "平安产险", "insurer", 4, PROVINCE_DIVISION_CODE),
    ("兴业证券股份有限公司", "兴业证券", "securities", 5, PROVINCE_DIVISION_CODE),
    ("华福证券有限责任公司", "华福证券", "securities", 5, PROVINCE_DIVISION_CODE),
]

# Law firms: (full name, short name, seconding weight). The first four are named in the reports.
LEGAL_PARTNERS = [
    ("福建闽众律师事务所", "闽众律所", 12),
    ("国浩律师（福州）事务所", "国浩律所", 12),
    ("上海市锦天城（福州）律师事务所", "锦天城律所", 12),
    ("福建纵然律师事务所", "纵然律所", 10),
    ("福建至理律师事务所", "至理律所", 8),
    ("福建君立律师事务所", "君立律所", 8),
    ("福建天衡联合（福州）律师事务所", "天衡律所", 7),
    ("福建联合信实律师事务所", "信实律所", 7),
    ("北京大成（福州）律师事务所", "大成律所", 7),
    ("北京盈科（福州）律师事务所", "盈科律所", 7),
    ("福建重宇合众律师事务所", "重宇律所", 6),
    ("福建闽天律师事务所", "闽天律所", 6),
    ("福建建达律师事务所", "建达律所", 6),
    ("福建理则达律师事务所", "理则达律所", 6),
    ("福建新世通律师事务所", "新世通律所", 5),
    ("福建拓维律师事务所", "拓维律所", 5),
    ("北京德恒（福州）律师事务所", "德恒律所", 5),
    ("福建华策律师事务所", "华策律所", 5),
    ("福建旭丰律师事务所", "旭丰律所", 5),
    ("福建融成律师事务所", "融成律所", 5),
    ("福建榕台律师事务所", "榕台律所", 5),
    ("福建上杭律师事务所", "上杭律所", 4),
    ("福建中亭律师事务所", "中亭律所", 4),
    ("福建三山律师事务所", "三山律所", 4),
    ("福建闽江源律师事务所", "闽江源律所", 4),
    ("福建瀛洲律师事务所", "瀛洲律所", 4),
    ("福建海西明正律师事务所", "明正律所", 4),
    ("福建合立律师事务所", "合立律所", 4),
    ("福建知信衡律师事务所", "知信衡律所", 4),
    ("福建鳌峰律师事务所", "鳌峰律所", 4),
]

# The partner whose manager gets the demo `partner` login; assistant1 works there too.
DEMO_PARTNER_SHORT_NAME = "海峡银行"
# Legal partners whose assistants get the other two assistant logins.
DEMO_LEGAL_SHORT_NAMES = ["闽众律所", "纵然律所"]

# Finance went first (the "金融人才助理" pilot), then law firms joined through the legal alliance.
AGREEMENT_WINDOWS = {
    "finance": (date(2023, 3, 1), date(2023, 12, 31)),
    "legal": (date(2023, 9, 1), date(2024, 9, 30)),
}
AGREEMENT_TERM_YEARS = 3
AGREEMENT_TITLES = {
    "finance": "金融人才助理战略合作协议",
    "legal": "法务人才助理共建协议",
}
AGREEMENT_SCOPES = {
    "finance": (
        "以支部共建、阵地共用、活动共办为抓手，选派党员业务骨干担任金融人才助理，"
        "下沉社区、走访企业，提供创业融资、拆迁安置贷、金融知识宣讲等服务。"
    ),
    "legal": (
        "依托法务党建联盟，选派执业律师担任法务人才助理，参与“百名律师进社区”"
        "“百家律所进千企”活动，提供法律咨询、纠纷调解、征迁法律服务和企业法律体检。"
    ),
}

CONTACT_ROLES = {
    "finance": ["党委办公室主任", "办公室主任", "个人金融部总经理", "工会主席", "党建专员"],
    "legal": ["主任", "党支部书记", "管理合伙人", "行政主管"],
}
ASSISTANT_TITLES = {
    "finance": [
        "客户经理",
        "理财经理",
        "个贷经理",
        "公司业务部经理",
        "支行行长助理",
        "保险规划师",
        "投资顾问",
    ],
    "legal": ["专职律师", "专职律师", "专职律师", "合伙人", "高级合伙人"],
}
# The reports stress that partners send their party-member staff first.
PARTY_MEMBER_SHARE = {"finance": 0.7, "legal": 0.5}
# Roughly how many active, on-leave and withdrawn assistants a programme this size has.
ASSISTANT_STATUS_WEIGHTS = [("active", 92), ("on_leave", 5), ("withdrawn", 3)]

# Volumes at scale 1; `--scale N` multiplies these.
FINANCE_ASSISTANTS = 120
LEGAL_ASSISTANTS = 190
ENTERPRISES = 300
RESIDENTS = 2000

# A community point's duty is a couple of half-days a week. Each text shown as the point's
# opening hours comes with the templates that staff it, (weekday 0=Mon, start, end), so that the
# rota agrees with what the point tells residents. One finance and one legal seat each.
COMMUNITY_POINT_SCHEDULES = {
    "每周二、周四 9:00-12:00 人才助理轮值": [(1, "09:00", "12:00"), (3, "09:00", "12:00")],
    "每周一、周三、周五 14:30-17:30 人才助理轮值": [
        (0, "14:30", "17:30"),
        (2, "14:30", "17:30"),
        (4, "14:30", "17:30"),
    ],
    "每周三 9:00-12:00、每周六 9:00-11:30 人才助理轮值": [
        (2, "09:00", "12:00"),
        (5, "09:00", "11:30"),
    ],
}
COMMUNITY_POINT_HOURS = list(COMMUNITY_POINT_SCHEDULES)
# Communities that host a point, one or two per street.
COMMUNITY_POINTS = [
    "瀛东社区",
    "建海社区",
    "中亭街东社区",
    "安平社区",
    "浦西社区",
    "泰山社区",
    "上海新村社区",
    "中平社区",
    "鳌峰洲社区",
    "振兴社区",
]
# The district-level points: (name, kind, street, address, opening hours, (lat, lon), note).
DISTRICT_POINTS = [
    (
        "台江区人才助理专窗",
        "service_window",
        "鳌峰街道",
        "台江区鳌峰路 台江区行政服务中心一楼",
        "工作日 8:30-12:00、14:30-17:30（金融、法务人才助理定时定点轮值）",
        (26.0541, 119.3312),
        "专窗轮值",
    ),
    (
        "台江人才之家",
        "talent_home",
        "鳌峰街道",
        "台江区江滨中大道 海峡金融商务区",
        "周一至周六 9:00-18:00",
        (26.0488, 119.3391),
        "人才之家驻点",
    ),
    (
        "凤凰新村征收指挥部服务点",
        "project_site",
        "上海街道",
        "台江区凤凰新村征收指挥部",
        "征收期间每日 8:30-20:00",
        (26.0712, 119.2826),
        "下沉征迁一线",
    ),
    (
        "上海西新村征收指挥部服务点",
        "project_site",
        "上海街道",
        "台江区上海西新村征收指挥部",
        "征收期间每日 8:30-18:00",
        (26.0689, 119.2801),
        "下沉征迁一线",
    ),
]
# Duty at the district-level points by kind: (weekdays, start, end, finance seats, legal seats).
# The window's duty sits inside its opening hours; the expropriation sites are staffed on every
# working day, morning and afternoon. `--scale N` multiplies the seats: N times the assistants
# staff N times the desks, which is what makes the benchmark's rota big.
DISTRICT_POINT_TEMPLATES = {
    "service_window": [
        (range(5), "09:00", "12:00", 1, 1),
        (range(5), "14:30", "17:30", 1, 1),
    ],
    "talent_home": [
        (range(6), "09:00", "12:00", 1, 1),
        (range(6), "14:00", "18:00", 1, 1),
    ],
    "project_site": [
        (range(5), "08:30", "12:00", 1, 1),
        (range(5), "14:30", "18:00", 1, 1),
    ],
}
COMMUNITY_POINT_SEATS = (1, 1)

# Leave in the two demo months, as shares of active assistants: approved leave blocks duty,
# requested leave waits for staff, rejected leave is history. Lengths in days.
LEAVE_SHARES = [("approved", 0.04), ("requested", 0.015), ("rejected", 0.005)]
LEAVE_KINDS = [("leave", 6), ("business_trip", 3), ("other", 1)]
LEAVE_DAYS = (1, 7)
LEAVE_REASONS = {
    "leave": ["年休假", "事假", "病假", "婚假"],
    "business_trip": ["总行培训", "外地出差", "参加律协业务培训", "异地开庭"],
    "other": ["单位重要会议", "家中有事"],
}
# Of past shifts, the share nobody checked in to; the rest were served.
MISSED_SHARE = 0.03
# Swap requests per 1x scale on upcoming shifts; about half are offered to a named colleague.
SWAP_REQUESTS = 6
SWAP_NOTES = ["临时有客户接待，申请换班", "需参加单位培训", "家中有事，请同事帮忙顶班", "外出开庭"]

# Where each specialty tends to be posted: finance staff mostly in communities and at the window,
# lawyers also at the expropriation sites, where disputes over leases and families come up.
DISPATCH_KIND_WEIGHTS = {
    "finance": [
        ("community_point", 65),
        ("service_window", 20),
        ("talent_home", 10),
        ("project_site", 5),
    ],
    "legal": [
        ("community_point", 45),
        ("service_window", 20),
        ("talent_home", 15),
        ("project_site", 20),
    ],
}
DISPATCH_NOTE_COMMUNITY = "社区驻点服务"

# The 4-category / 21-item checklist:
# (code, name, [(code, name, specialty, target days, follow-up days, financial, description)]).
CATALOGUE = [
    (
        "FW",
        "法律服务",
        [
            ("FW01", "法律咨询", "legal", 3, 7, False, "解答居民、企业日常法律问题。"),
            ("FW02", "纠纷调解", "legal", 15, 14, False, "邻里、家庭、租赁等矛盾纠纷的调解。"),
            ("FW03", "合同审查", "legal", 5, 14, False, "审查租赁、买卖、合作等合同条款。"),
            ("FW04", "知识产权保护", "legal", 20, 30, False, "商标、著作权、专利的保护与维权。"),
            ("FW05", "劳动争议指导", "legal", 10, 14, False, "劳动合同、工资、工伤等争议的指导。"),
            ("FW06", "征迁法律服务", "legal", 10, 14, False, "解读征迁政策，化解征迁中的纠纷。"),
            ("FW07", "企业法律体检", "legal", 15, 30, False, "为企业梳理用工、合同、合规风险。"),
        ],
    ),
    (
        "JR",
        "金融服务",
        [
            ("JR01", "创业融资", "finance", 15, 30, True, "为创业人才和小微企业对接融资。"),
            ("JR02", "拆迁安置贷", "finance", 20, 30, True, "为征迁户解决过渡期资金难题。"),
            ("JR03", "普惠小微贷款", "finance", 10, 30, True, "面向个体工商户和小微企业的贷款。"),
            ("JR04", "股权投资咨询", "finance", 7, 30, False, "股权融资、投资架构的咨询。"),
            ("JR05", "保险保障咨询", "finance", 5, 14, False, "家庭与企业的保险保障规划。"),
            ("JR06", "防范金融诈骗宣讲", "finance", 5, 14, False, "反诈、防范非法集资知识宣讲。"),
        ],
    ),
    (
        "RC",
        "人才服务",
        [
            ("RC01", "人才政策咨询", "legal", 3, 7, False, "解读人才认定、补贴等政策。"),
            ("RC02", "人才落户", "legal", 15, 14, False, "指导办理人才落户手续。"),
            ("RC03", "住房保障", "finance", 20, 30, False, "人才住房、租赁补贴与购房金融服务。"),
            ("RC04", "创业孵化对接", "finance", 10, 30, False, "对接众创空间、孵化器等创业资源。"),
        ],
    ),
    (
        "MS",
        "民生服务",
        [
            ("MS01", "子女入学", "legal", 20, 14, False, "人才子女入学政策咨询与转介。"),
            ("MS02", "就医转介", "finance", 3, 7, False, "对接医疗资源与商业健康保险服务。"),
            ("MS03", "社保医保咨询", "finance", 5, 7, False, "社保、医保缴纳与报销咨询。"),
            ("MS04", "养老托育服务", "legal", 10, 14, False, "养老、托育资源的咨询与转介。"),
        ],
    ),
]

# Fujian's commonest surnames, weighted roughly by how often they appear in Fuzhou.
SURNAMES = [
    ("林", 20),
    ("陈", 20),
    ("黄", 12),
    ("郑", 8),
    ("王", 6),
    ("李", 6),
    ("张", 6),
    ("吴", 5),
    ("刘", 5),
    ("杨", 3),
    ("许", 3),
    ("蔡", 3),
    ("何", 2),
    ("魏", 2),
    ("游", 2),
    ("翁", 2),
    ("高", 2),
    ("叶", 2),
    ("潘", 2),
    ("江", 2),
    ("邱", 2),
    ("谢", 2),
    ("周", 2),
    ("徐", 2),
    ("朱", 2),
    ("施", 1),
    ("庄", 1),
    ("卓", 1),
    ("詹", 1),
    ("薛", 1),
    ("方", 1),
    ("余", 1),
    ("洪", 1),
    ("曾", 1),
]
GIVEN_NAME_CHARACTERS = {
    "male": "伟强磊军勇杰涛斌超明辉鑫浩宇鹏俊峰晨翔凯文华建志国"
    "榕闽思锋彬坤昊航铭泽睿毅诚康永瑞霖煜",
    "female": "芳娜敏静丽婷雪琳颖慧倩洁欣萍燕玲婉怡晓雅蓉莹佳梦琪瑶菲璐岚霞秀珊薇清瑜钰妍凤娟茜",
}

# Mainland mobile prefixes of the three carriers; every one matches 1[3-9].
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "185", "186", "187", "188", "189",
    "191", "198", "199",
]  # fmt: skip
# Fuzhou landlines are 8 digits after the 0591 area code.
LANDLINE_AREA_CODE = "0591"
LANDLINE_FIRST_DIGITS = "2345678"

# Enterprises: the district's key industries, with words a firm of that trade puts in its name.
INDUSTRIES = [
    ("现代商贸", ["商贸", "贸易", "供应链管理", "茶业", "服饰"]),
    ("数字经济", ["网络科技", "信息技术", "软件开发", "数据科技"]),
    ("平台经济", ["电子商务", "互联网科技", "网络直播"]),
    ("现代金融", ["投资管理", "融资租赁", "保险代理"]),
    ("商务服务", ["企业管理咨询", "人力资源", "知识产权代理", "广告"]),
    ("文化旅游", ["文化传媒", "旅行社", "文化创意"]),
    ("餐饮住宿", ["餐饮管理", "酒店管理"]),
    ("建筑装饰", ["建筑装饰工程", "建设工程", "物业管理"]),
    ("交通物流", ["汽车租赁", "物流", "货运代理"]),
]
INDUSTRY_WEIGHTS = [24, 16, 8, 6, 14, 8, 10, 8, 6]
TRADE_NAME_CHARACTERS = (
    "恒泰鑫华兴源盛达隆福闽榕海峡江台祥瑞嘉宏信诚和安丰通远创新博智汇聚德正凯永顺腾骏"
)
COMPANY_PLACE_PREFIXES = ["福州", "福州", "福州", "福建", "福州市台江区"]
COMPANY_SUFFIXES = ["有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司"]
# About one in five served firms is an individual business (个体工商户), registered as 92...
SHOP_SHARE = 0.2
SHOPS = [
    ("现代商贸", "茶叶店"),
    ("现代商贸", "服装店"),
    ("现代商贸", "便利店"),
    ("现代商贸", "五金店"),
    ("现代商贸", "水果店"),
    ("餐饮住宿", "鱼丸店"),
    ("餐饮住宿", "小吃店"),
    ("餐饮住宿", "快餐店"),
    ("商务服务", "理发店"),
    ("商务服务", "图文广告店"),
]
OFFICE_BUILDINGS = [
    "万达广场",
    "利嘉城",
    "世茂国际中心",
    "海峡金融商务区",
    "中亭商厦",
    "金融街大厦",
]

# Residents' homes: old estates (新村) and newer compounds in the district.
ESTATE_NAMES = [
    "新村",
    "花园",
    "小区",
    "苑",
    "公寓",
]
# Household sizes (1 to 6) weighted like an old inner-city district: many couples and families of 3.
HOUSEHOLD_SIZE_WEIGHTS = [10, 28, 30, 18, 9, 5]

# --- cases -----------------------------------------------------------------------------------

# Cases at scale 1: a year of the programme's work orders.
CASES = 3000
# How the year's cases stand today: most are done, a working front of open ones.
CASE_STATE_WEIGHTS = [
    ("new", 4),
    ("assigned", 5),
    ("in_progress", 13),
    ("resolved", 10),
    ("followed_up", 8),
    ("closed", 60),
]
CASE_OUTCOME_WEIGHTS = [("resolved", 82), ("referred", 8), ("unresolvable", 5), ("withdrawn", 5)]
CASE_SOURCE_WEIGHTS = [
    ("service_window", 22),
    ("community_point", 30),
    ("enterprise_visit", 12),
    ("council_meeting", 4),
    ("hotline", 14),
    ("partner", 8),
    ("public_form", 10),
]
CASE_PRIORITY_WEIGHTS = [("low", 10), ("normal", 70), ("high", 15), ("urgent", 5)]
# Share of cases brought by an enterprise rather than a resident, by category.
ENTERPRISE_SHARE = {"FW": 0.35, "JR": 0.5, "RC": 0.3, "MS": 0.05}
HELPER_SHARE = 0.2
REOPENED_SHARE = 0.05  # of cases in progress: a return visit found the problem back
LATE_SHARE = 0.12  # of resolved cases: finished after their target date
FOLLOW_UP_METHOD_WEIGHTS = [("phone", 70), ("visit", 20), ("message", 10)]
SATISFACTION_WEIGHTS = [2, 3, 10, 35, 50]
VISIT_SHARE = 0.6  # of cases worked on: a logged consultation, mediation or visit
EXTENSION_SHARE = 0.03
REFERRAL_DEPARTMENTS = [
    "台江区人力资源和社会保障局",
    "台江区市场监督管理局",
    "台江区住房和城乡建设局",
    "台江区教育局",
    "台江区卫生健康局",
    "台江区司法局",
]
LIAISON_SHARE = 0.1  # of enterprises with a liaison assistant
LIAISON_INTERVALS = [30, 30, 60, 90]
STANDALONE_VISITS_PER_LIAISON = (0, 4)
CASE_TITLES = {
    "FW01": ["咨询房屋买卖合同违约问题", "咨询遗产继承手续", "咨询民间借贷纠纷"],
    "FW02": ["邻里漏水纠纷调解", "商铺租赁押金退还纠纷", "家庭赡养纠纷调解"],
    "FW03": ["审查店面租赁合同", "审查合作经营协议", "审查设备采购合同"],
    "FW04": ["商标被仿冒维权", "软件著作权登记咨询", "外观专利侵权应对"],
    "FW05": ["员工工伤认定咨询", "拖欠工资争议指导", "劳动合同解除争议"],
    "FW06": ["征迁补偿标准咨询", "征迁期间租赁合同解除纠纷", "安置房分配疑问"],
    "FW07": ["企业用工合规体检", "企业合同管理体检", "企业股权架构合规检查"],
    "JR01": ["初创企业首笔融资对接", "创业担保贷款申请", "科技型企业信用贷款"],
    "JR02": ["征迁过渡期资金周转", "拆迁安置贷申请", "安置房装修贷款咨询"],
    "JR03": ["个体工商户经营贷款", "小微企业续贷", "普惠贷款利率咨询"],
    "JR04": ["股权融资方案咨询", "引入投资人估值咨询", "员工持股平台设计"],
    "JR05": ["家庭保险保障规划", "企业财产险咨询", "雇主责任险咨询"],
    "JR06": ["社区防诈宣讲", "非法集资风险咨询", "老年人反诈宣传"],
    "RC01": ["高层次人才认定咨询", "人才补贴申领咨询", "青年人才政策解读"],
    "RC02": ["人才落户材料准备", "配偶随迁落户咨询", "落户流程指导"],
    "RC03": ["人才公寓申请", "租房补贴申领", "人才购房贷款咨询"],
    "RC04": ["入驻孵化器对接", "众创空间工位申请", "创业导师对接"],
    "MS01": ["人才子女入学咨询", "子女转学手续咨询", "幼儿园入园咨询"],
    "MS02": ["就医绿色通道对接", "商业健康险理赔咨询", "异地就医转介"],
    "MS03": ["社保转移接续咨询", "医保报销咨询", "灵活就业社保缴纳"],
    "MS04": ["社区养老服务对接", "托育机构咨询", "居家养老补贴咨询"],
}
CASE_NOTES = ["已电话联系当事人了解情况", "已收集相关材料", "已与对方当事人沟通", "已出具书面意见"]
RESOLUTION_NOTES = {
    "resolved": ["问题已解决，当事人认可", "已办结并告知当事人"],
    "referred": ["已转交相关部门办理"],
    "unresolvable": ["超出服务范围，已向当事人说明"],
    "withdrawn": ["当事人撤回诉求"],
}
FOLLOW_UP_NOTES = ["回访满意", "当事人表示问题已解决", "回访时当事人表示感谢"]
REOPEN_NOTES = ["回访时当事人反映问题再次出现", "当事人对处理结果不满意"]
EXTENSION_REASONS = ["需等待相关部门出具材料", "当事人外出，需延后面谈", "案情复杂，需进一步调查"]
REFERRAL_REASONS = ["涉及另一专业领域", "需行政部门依职权处理"]
COUNCIL_MEETING_TITLES = ["社区议事厅", "一企一议专题会", "征迁群众议事会"]
COUNCIL_MEETING_SIZE = (4, 8)  # cases raised per meeting
VISIT_NOTES = {
    "consultation": ["现场解答当事人疑问", "提供政策解读材料"],
    "mediation": ["组织双方现场调解", "达成初步调解意向"],
    "enterprise_visit": ["走访企业了解经营情况", "宣讲惠企政策", "收集企业诉求"],
    "return_visit": ["上门回访，当事人满意"],
    "talk": ["与当事人面谈"],
}
# Cases reach back this many days: the oldest closed ones were opened about a year ago.
CASE_SPAN_DAYS = 365
