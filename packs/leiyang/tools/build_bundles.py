#!/usr/bin/env python3
"""Deterministic generator for the Leiyang 一件事一次办 bundles (docs/pack-format.md, "Bundles").

Writes packs/leiyang/{bundles,bundle_members,bundle_questions,bundle_fields,bundle_promises,
material_identities}.csv from items.csv / implementations.csv / materials.csv of the pack and the shared
research file ../shared/data/leiyang/bundles.csv (relative to the repo root).

Every member row carries its promise inside the bundle explicitly: the published figure where the source
gives one, otherwise the promise of the implementation that serves the member (the county's for a city-hall
bundle, the first township's for a township-hall bundle). 即办 items (0 days) count as 0.5 day inside a
bundle. Where a bundle has a sourced promise of its own and its members' longest dependency chain exceeds it,
the members on the too-long chains are compressed proportionally (rounded down to half days); the bundle's
`source` lists every compressed or 0.5-day member as illustrative. A bundle without a sourced promise leaves
`promised_workdays` empty: the loader then promises the longest chain.

`--check` verifies the files the way the platform's loader does (zhengwu/bundles/definition.py
`problems()`): members implemented where the bundle is handled, dependencies, question keys, every way of
answering leaving at least one member, and the promise (or promise rule) covering the longest chain.

    python3 packs/leiyang/tools/build_bundles.py          # (re)write the six CSVs
    python3 packs/leiyang/tools/build_bundles.py --check  # verify them, exit 1 on failure
"""
import csv
import functools
import io
import itertools
import math
import re
import sys
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path

PACK = Path(__file__).resolve().parent.parent
ROOT = PACK.parent.parent
SHARED = ROOT / ".." / "shared" / "data" / "leiyang"
SHARED_CITE = "shared/data/leiyang/bundles.csv"
PLAN = "shared/mission/leiyang-2021-action-plan.txt（耒阳市人民政府办公室 LYDR202101006，2021-08-09）"
CITY_TOTAL, TOWNSHIP_TOTAL = 251, 17          # plan measure 11: 268 = 251 + 17
TOWNSHIP_LEAD = "各乡镇人民政府（街道办事处）"


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write(name, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    (PACK / name).write_text(buf.getvalue(), encoding="utf-8")


ITEMS = read(PACK / "items.csv")
ITEM_NAMES = [r["name"] for r in ITEMS]
ITEM_SET = set(ITEM_NAMES)
ITEM_BY = {r["name"]: r for r in ITEMS}
DEPTS = read(PACK / "departments.csv")
DEPT_SHORT = {r["short_name"] for r in DEPTS}
DEPT_BY_FULL = {r["name"]: r["short_name"] for r in DEPTS}
THEMES = {r["name"]: r for r in read(PACK / "themes.csv")}
IMPLS = read(PACK / "implementations.csv")
MATERIALS = read(PACK / "materials.csv")
MATERIAL_NAMES = {r["name"] for r in MATERIALS}

COUNTY = "430481000000"
CITY_IMPL = {}     # item -> (department, promised days) at city level
ALL_IMPL = defaultdict(set)
COUNTY_IMPLS = defaultdict(dict)  # item -> {department: promised} of its county-level implementations
TOWN_IMPL = {}     # item -> promised of the implementation a township hall uses (lowest region code, level >= 5)
for r in IMPLS:
    ALL_IMPL[r["item_name"]].add(r["department"])
    if r["region_code"] == COUNTY:
        COUNTY_IMPLS[r["item_name"]].setdefault(r["department"], r["promised_limit_workdays"])
    if r["region_code"] == COUNTY and r["item_name"] not in CITY_IMPL:
        CITY_IMPL[r["item_name"]] = (r["department"], r["promised_limit_workdays"])
for r in sorted((r for r in IMPLS if int(r["level"]) >= 5 and r["region_code"].startswith(COUNTY[:6])),
                key=lambda r: r["region_code"]):
    TOWN_IMPL.setdefault(r["item_name"], r["promised_limit_workdays"])
for r in IMPLS:
    if r["item_name"] not in CITY_IMPL:
        CITY_IMPL[r["item_name"]] = (r["department"], r["promised_limit_workdays"])
TOWNSHIP_ITEMS = sorted(i for i in ITEM_SET
                        if any(d not in ("市人社局",) and (d.endswith("镇") or d.endswith("乡") or d.endswith("街道"))
                               for d in ALL_IMPL[i]))


def num(x):
    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    return str(int(v)) if v == int(v) else str(v)


def fld(field, label, required, maps, kind="", meaning=""):
    """A bundle form field; `kind` empty = inferred by the loader from the key."""
    return {"field": field, "label": label, "required": required, "maps_to": ";".join(maps), "kind": kind,
            "meaning": meaning}


# ---------------------------------------------------------------- material identities (一次采集)
IDENTITIES = [
    ("居民身份证", ["居民身份证", "身份证", "身份证件", "申请人身份证件", "申请人身份证", "申请人身份证明",
                "身份证复印件", "当事人身份证件", "当事人身份证明", "原居民身份证（换领时）"]),
    ("法定代表人身份证件", ["法定代表人身份证件", "法定代表人身份证明", "法定代表人身份证复印件"]),
    ("经办人身份证件", ["经办人身份证件", "单位经办人身份证件", "法人或经办人身份证件"]),
    ("经营者身份证件", ["经营者身份证件", "经营者身份证复印件", "投资人身份证件"]),
    ("营业执照", ["营业执照", "营业执照或其他主体资格证明文件", "公司营业执照", "企业营业执照", "企业主体资格证明",
              "登记证书或营业执照"]),
    ("户口簿", ["户口簿", "居民户口簿", "户口簿复印件"]),
    ("不动产权证书", ["不动产权证书", "购房合同或不动产权证书"]),
    ("结婚证", ["结婚证"]),
    ("出生医学证明", ["出生医学证明"]),
    ("社会保障卡", ["社会保障卡或银行卡信息", "社会保障卡或银行账户信息"]),
    ("个人银行账户", ["银行账户信息", "本人银行卡", "惠民惠农补贴“一卡通”银行卡"]),
    ("住所（经营场所）使用证明", ["住所使用证明（产权证明或租赁合同）", "住所使用证明", "企业住所使用证明（产权证明或租赁合同）",
                       "经营场所使用证明（产权证明或租赁合同）", "主要经营场所使用证明（产权证明或租赁合同）",
                       "营业场所使用证明（产权证明或租赁合同）"]),
    ("房屋租赁合同", ["房屋租赁合同", "租赁合同", "房屋租赁合同或租金缴纳凭证"]),
    ("死亡证明", ["死亡证明", "居民死亡医学证明（推断）书"]),
    ("近期免冠照片", ["近期免冠照片", "照片"]),
    ("机动车行驶证", ["机动车行驶证", "车辆行驶证"]),
    ("残疾人证", ["残疾人证", "残疾人证（如有）", "原残疾人证", "残疾人证复印件"]),
    ("参保人员信息", ["参保人员信息", "职工身份信息"]),
    ("监护人身份证件", ["监护人身份证件"]),
    ("继承人身份证件", ["继承人身份证件"]),
    ("夫妻双方身份证件", ["双方居民身份证", "夫妻双方居民身份证", "夫妻双方身份证件", "双方身份证明"]),
    ("学历证明", ["学历证明", "学历证书", "学历或资格证明"]),
]


# ---------------------------------------------------------------- the 60 researched bundles
# member names as published (shared bundles.csv) -> item name in items.csv ("" = not in the pack)
MEMBER_MAP = {
    "出生登记": "出生登记（新生儿入户）",
    "社会保障卡申领（邮寄卡不激活金融账户）": "社会保障卡申领",
    "城乡居民参保登记": "城乡居民基本医疗保险参保登记",
    "居住证": "居住证办理",
    "新生入学信息采集": "义务教育阶段新生入学报名（新生入学信息采集）",
    "不动产权证书": "不动产权证书（住房情况）查询",
    "社会保险参保缴费记录核查": "社会保险个人权益记录查询打印",
    "残疾类别/等级变更": "残疾类别、等级变更",
    "城乡居民养老保险参保登记": "城乡居民基本养老保险参保登记",
    "企业职工基本养老保险养老金申领": "企业职工基本养老保险养老金申领（正常退休）",
    "住房公积金提取业务-正常退休提取住房公积金": "住房公积金提取（正常退休）",
    "已故人员股权登记信息查询(继承人查询)": "已故人员股权登记信息查询（继承人查询）",
    "户口注销": "死亡人员户口注销",
    "死亡证办理（正常）": "死亡医学证明（推断）书办理",
    "出具死亡证明(非正常死亡)": "出具死亡证明（非正常死亡）",
    "已故存款人小额存款提取(继承人提取)": "已故存款人小额存款提取（继承人提取）",
    "特困人员救助供养": "特困人员认定、救助供养金给付",
    "最低生活保障": "最低生活保障对象认定、保障金给付",
    "临时救助": "临时救助对象认定、救助金给付",
    "国家助学贷款申请和受理": "生源地信用助学贷款申请",
    "无雇工个体工商户及灵活就业人员参加养老保险登记": "灵活就业人员企业职工基本养老保险参保登记",
    "创业补贴申领": "一次性创业补贴申领",
    "申请创业担保贷款": "创业担保贷款申请",
    "经营主体登记注册": "个体工商户设立登记",
    "纳税人信息确认": "新办纳税人“一照一码”户信息确认",
    "《食品小经营许可证》新办": "食品小经营许可证核发（小餐饮）",
    "公众聚集场所投入使用、营业前消防安全检查（告知承诺制流程）": "公众聚集场所投入使用、营业前消防安全检查",
    "公众聚集场所投入使用、营业前消防安全检查（一般流程）": "公众聚集场所投入使用、营业前消防安全检查",
    "《食品经营许可证》新办": "食品经营许可证核发（新办）",
    "户外招牌设施规范管理": "户外招牌设施规范管理（设置备案）",
    "供电报装": "供电报装（低压/高压）",
    "通信报装": "通信报装（光纤到户及通信基础设施）",
    "广播电视报装": "广播电视报装（有线网络接入）",
    "注销税务登记（适用于“一照一码”“两证整合”以外的纳税人）": "税务注销（清税）",
    "有限（责任）公司注销登记": "公司注销登记",
    "一人有限责任公司注销登记": "公司注销登记",
    "股份有限公司注销登记": "公司注销登记",
    "银行账户注销": "企业银行账户撤销（预约销户）",
    "参保单位注销": "参保单位注销（注销社会保险登记）",
    "住房公积金缴存业务-单位缴存登记注销": "住房公积金单位缴存登记注销",
    "食品经营许可": "食品经营许可证核发（新办）",
    # 我要开民宿 (2019 guide, 个人经营)
    "营业执照": "个体工商户设立登记",
    "旅馆业特种行业许可证": "旅馆业特种行业许可证核发",
    "建设工程竣工消防验收或备案": "其他建设工程消防验收备案",
    "公众聚集场所投入使用、营业前消防安全检查合格证": "公众聚集场所投入使用、营业前消防安全检查",
    "食品经营许可证": "食品经营许可证核发（新办）",
    "门店招牌许可": "户外招牌设施规范管理（设置备案）",
    "涉税事项办理": "新办纳税人“一照一码”户信息确认",
}

# Hunan theme code -> (pack theme, lead department if the shared file gives none)
THEME_OF = {
    "43PCC0001": ("就业", "市人社局"), "43PCN0009": ("出生", ""), "43PCN0010": ("上学", ""),
    "43PCN0011": ("社会保险", ""), "43PCN0012": ("残疾", "市残联"), "43PCN0013": ("退休", "市人社局"),
    "43PCP0001": ("住房", "公积金耒阳管理部"), "43PCP0002": ("住房", "市住建局"),
    "43PCP0003": ("退役军人", "市退役军人事务局"), "43PCP0004": ("出境入境", "市教育局"),
    "43PCP0006": ("医疗", "市医保局"), "43PCP0007": ("婚姻", "市民政局"), "43PCP0008": ("身后事", ""),
    "43PCP0010": ("个人创业", ""), "43PCP0011": ("个人纳税", "市商务局"), "43PCP0012": ("交通", "市商务局"),
    "43PCP0014": ("交通", "市公安局"), "43PCP0015": ("就业", "市人社局"), "43PCP0016": ("户籍", "市公安局"),
    "43PCP0017": ("社会救助", "市民政局"), "43PCP0018": ("出境入境", "市商务局"),
    "43PCP0019": ("交通", "市公安局"), "43PCP0020": ("出境入境", "市税务局"),
    "43PCP0021": ("社会保险", "市人社局"), "43PCP0022": ("生育", "市卫健局"),
    "43PCP0023": ("住房", "公积金耒阳管理部"), "43PCP0024": ("就业", "市商务局"),
    "43PCP0025": ("住房", "市不动产登记中心"), "43PCP0028": ("就业", "市教育局"),
    "43TC1700200Y": ("经营许可", "市商务局"), "43TC18001000": ("运输经营", "市交通运输局"),
    "43TC2000100Y": ("农村建房", "市自然资源局"), "43TC2300100Y": ("医疗", "市卫健局"),
    "43TCN0001": ("企业变更", "市市场监督管理局"), "43TCN0002": ("运输经营", "市交通运输局"),
    "43TCN0003": ("开办餐饮", ""), "43TCN0004": ("水电气网报装", ""), "43TCN0005": ("信用修复", "市发改局"),
    "43TCN0006": ("企业变更", "市发改局"), "43TCN0007": ("企业注销", "市发改局"), "43TCN0008": ("企业注销", ""),
    "43TCP0005": ("企业纳税", "市统计局"), "43TCP0006": ("企业变更", "市市场监督管理局"),
    "43TCP0008": ("投资项目", "市科工信局"), "43TCP0009": ("企业变更", "市市场监督管理局"),
    "43TCP0010": ("投资项目", "市发改局"), "43TCP0011": ("工程建设", "市住建局"),
    "43TCP0012": ("员工用工", "市公安局"), "43TCP0013": ("投资项目", "市商务局"),
    "43TCP0014": ("员工用工", "市人社局"), "43TCP0015": ("工程建设", "市住建局"),
    "43TCP0016": ("投资项目", "市商务局"), "43TCP0017": ("投资项目", "市科工信局"),
    "43TCP0018": ("经营许可", ""), "43TCP0019": ("投资项目", "市科工信局"),
    "43TCP0020": ("文旅经营", "市文旅广体局"), "43TCP0021": ("企业不动产", "市不动产登记中心"),
    "43TCP0022": ("信用修复", "市市场监督管理局"),
}

# researched bundles whose members were not extracted: members chosen by this pack (illustrative)
ILLUSTRATIVE_MEMBERS = {
    "43PCC0001": ["就业登记", "居住证办理", "就业创业证申领", "一次性创业补贴申领"],
    "43PCN0011": ["社会保障卡申领", "城乡居民基本医疗保险参保登记", "社会保险个人权益记录查询打印"],
    "43PCP0001": ["住房公积金缴存证明开具", "住房公积金个人住房贷款", "不动产抵押登记"],
    "43PCP0002": ["公共租赁住房申请资格审核认定", "住房保障家庭租赁补贴发放", "不动产权证书（住房情况）查询"],
    "43PCP0003": ["退役军人报到", "退役军人优待证申领", "退役士兵自主就业一次性经济补助金给付", "伤残抚恤关系接收、转移"],
    "43PCP0006": ["住院费用手工（零星）报销", "异地长期居住人员就医备案", "门诊慢特病病种待遇认定"],
    "43PCP0012": ["机动车注册登记（新车上牌）", "车辆购置税申报"],
    "43PCP0014": ["车辆购置税申报", "机动车注册登记（新车上牌）", "机动车检验合格标志核发"],
    "43PCP0015": ["失业登记", "失业保险金申领", "就业困难人员认定", "就业登记"],
    "43PCP0016": ["户口登记项目变更更正", "居民身份证申领、换领、补领", "社会保障卡申领"],
    "43PCP0019": ["机动车驾驶证期满换证", "机动车检验合格标志核发", "电动自行车登记上牌"],
    "43PCP0021": ["就业登记", "灵活就业人员企业职工基本养老保险参保登记", "城乡居民基本养老保险费、医疗保险费缴纳"],
    "43PCP0023": ["租房提取住房公积金", "购买自住住房提取住房公积金", "房屋租赁登记备案"],
    "43PCP0025": ["商品房买卖合同网签备案", "契税申报", "不动产转移登记（存量房买卖）", "住房公积金个人住房贷款"],
    "43PCP0028": ["教师资格认定", "无犯罪记录证明"],
    "43TC2000100Y": ["农村村民宅基地审批", "乡村建设规划许可证核发"],
    "43TCN0001": ["公司变更登记", "食品经营许可证变更", "个体工商户变更登记"],
    "43TCN0002": ["企业设立登记（公司设立登记）", "道路货物运输经营许可", "营运车辆道路运输证配发"],
    "43TCN0005": ["纳税信用修复", "统计严重失信企业名单信用修复"],
    "43TCP0010": ["企业投资项目备案", "企业投资项目核准", "固定资产投资项目节能审查", "建设项目用地预审与选址意见书"],
    "43TCP0011": ["建设工程规划许可证核发", "建筑工程施工许可证核发", "特殊建设工程消防设计审查", "结合民用建筑修建防空地下室审批（施工图阶段）"],
    "43TCP0014": ["就业登记", "企业员工社会保险参保登记", "职工基本医疗保险参保登记", "住房公积金个人账户设立"],
    "43TCP0015": ["建设项目竣工联合验收", "特殊建设工程消防验收", "建设工程竣工验收备案", "重点建设项目档案验收"],
    "43TCP0020": ["大型群众性活动安全许可（1000-5000人）", "经营高危险性体育项目（游泳）许可"],
    "43TCP0021": ["不动产转移登记（存量房买卖）", "契税申报"],
    # the 21 themes that had no member at all (several members were added to items.csv for them, illustrative)
    "43PCP0004": ["普通护照签发", "无犯罪记录证明", "亲属关系证明"],
    "43PCP0011": ["家电以旧换新补贴申领", "手机等数码产品购新补贴申领"],
    "43PCP0018": ["进出境邮件通关咨询代办"],
    "43PCP0020": ["增值税一般纳税人登记", "离境退税商店备案"],
    "43PCP0022": ["出生登记（新生儿入户）", "育儿补贴申领"],
    "43PCP0024": ["家政服务人员信用信息查询", "无犯罪记录证明"],
    "43TC1700200Y": ["其他建设工程消防验收备案", "公众聚集场所投入使用、营业前消防安全检查", "公共场所卫生许可",
                     "户外招牌设施规范管理（设置备案）"],
    "43TC18001000": ["营运车辆道路运输证配发", "公路超限运输许可"],
    "43TC2300100Y": ["门诊慢特病病种待遇认定", "异地长期居住人员就医备案", "特困、低保等困难群众医疗救助"],
    "43TCN0006": ["企业专项信用报告出具", "开具无欠税证明"],
    "43TCN0007": ["不动产权证书（住房情况）查询", "开具无欠税证明"],
    "43TCP0005": ["企业年度报告公示", "统计调查对象年报数据联网直报"],
    "43TCP0006": ["公司变更登记", "新办纳税人“一照一码”户信息确认", "企业员工社会保险参保登记", "住房公积金单位缴存登记"],
    "43TCP0008": ["技术合同认定登记", "企业投资项目备案"],
    "43TCP0009": ["企业设立登记（公司设立登记）", "个体工商户注销登记", "新办纳税人“一照一码”户信息确认",
                  "公章刻制备案（印章刻制）"],
    "43TCP0012": ["外国人来华工作许可", "外国人居留许可签发（工作类）", "企业员工社会保险参保登记"],
    "43TCP0013": ["企业设立登记（公司设立登记）", "外商投资信息报告"],
    "43TCP0016": ["对外承包工程项目备案"],
    "43TCP0017": ["不动产抵押登记", "股权出质设立登记", "开具无欠税证明"],
    "43TCP0019": ["科技型中小企业评价", "高新技术企业认定申报（县级推荐）"],
    "43TCP0022": ["专利侵权纠纷行政裁决", "企业名称争议裁决"],
}
# researched themes handled at the township halls (their members are township powers)
RESEARCHED_TOWNSHIP = {"43TC2000100Y"}
# guided questions of the researched themes: code -> ([questions], {member: when})
SETUP = {
    "43PCP0011": ([("purchase", "本次申请哪类补贴", "appliance:家电;digital:手机等数码产品", "", "家电与手机等数码产品分别申领，每次申请一类")],
                  {"家电以旧换新补贴申领": "purchase=appliance", "手机等数码产品购新补贴申领": "purchase=digital"}),
    "43PCP0020": ([("general_taxpayer", "是否已登记为增值税一般纳税人", "yes;no", "", "离境退税商店须为增值税一般纳税人")],
                  {"增值税一般纳税人登记": "general_taxpayer=no"}),
    "43PCP0022": ([("child_registered", "婴幼儿是否已办理出生登记（落户）", "yes;no", "", "未落户的同时办理出生登记，落户后发放育儿补贴")],
                  {"出生登记（新生儿入户）": "child_registered=no"}),
    "43TC1700200Y": ([("has_signboard", "是否设置户外招牌", "yes;no", "", "")],
                     {"户外招牌设施规范管理（设置备案）": "has_signboard=yes"}),
    "43TC18001000": ([("has_transport_cert", "运输车辆是否已取得道路运输证", "yes;no", "", "未取得的先配发道路运输证，再办理超限运输许可")],
                     {"营运车辆道路运输证配发": "has_transport_cert=no"}),
    "43TC2300100Y": ([("lives_elsewhere", "是否长期在异地居住需要异地就医", "yes;no", "", ""),
                      ("receives_assistance", "是否为特困、低保等医疗救助对象", "yes;no", "", "")],
                     {"异地长期居住人员就医备案": "lives_elsewhere=yes",
                      "特困、低保等困难群众医疗救助": "receives_assistance=yes"}),
    "43TCP0005": ([("statistics_reporter", "是否为统计联网直报调查对象", "yes;no", "", "规模以上工业、限额以上批零住餐等调查单位")],
                  {"统计调查对象年报数据联网直报": "statistics_reporter=yes"}),
    "43TCP0006": ([("has_employees", "是否有参保职工", "yes;no", "", "有职工的同步在迁入地办理社保登记和住房公积金缴存登记")],
                  {"企业员工社会保险参保登记": "has_employees=yes", "住房公积金单位缴存登记": "has_employees=yes"}),
    "43TCP0008": ([("builds_project", "成果转化是否新建投资项目", "yes;no", "", "")],
                  {"企业投资项目备案": "builds_project=yes"}),
    "43TCP0017": ([("collateral", "融资担保方式", "real_estate:不动产抵押;equity:股权出质", "", "")],
                  {"不动产抵押登记": "collateral=real_estate", "股权出质设立登记": "collateral=equity"}),
    "43TCP0022": ([("dispute", "纠纷类型", "patent:专利侵权纠纷;company_name:企业名称争议", "", "")],
                  {"专利侵权纠纷行政裁决": "dispute=patent", "企业名称争议裁决": "dispute=company_name"}),
}

DEPENDS = {  # (bundle code) -> {member: [must finish first]}
    "43PCN0009": {"出生登记（新生儿入户）": ["出生医学证明首次签发"],
                  "社会保障卡申领": ["出生登记（新生儿入户）"],
                  "城乡居民基本医疗保险参保登记": ["出生登记（新生儿入户）"]},
    "43PCP0007": {"变更户口婚姻状况": ["内地居民结婚登记"], "夫妻投靠户口迁移": ["内地居民结婚登记"]},
    "43PCP0008": {"遗体火化证明开具": ["死亡医学证明（推断）书办理"],
                  "死亡人员户口注销": ["死亡医学证明（推断）书办理"],
                  "驾驶证注销": ["死亡人员户口注销"], "基本医疗保险减少登记（终止参保）": ["死亡人员户口注销"],
                  "参保人员个人账户一次性支取": ["基本医疗保险减少登记（终止参保）"],
                  "死亡或被宣告死亡提取住房公积金": ["死亡人员户口注销"]},
    "43PCP0010": {"就业创业证申领": ["个体工商户设立登记"],
                  "新办纳税人“一照一码”户信息确认": ["个体工商户设立登记"],
                  "一次性创业补贴申领": ["个体工商户设立登记"]},
    "43TCN0008": {"公司注销登记": ["税务注销（清税）", "参保单位注销（注销社会保险登记）", "住房公积金单位缴存登记注销"],
                  "个体工商户注销登记": ["税务注销（清税）"],
                  "企业银行账户撤销（预约销户）": ["公司注销登记"], "企业印章注销": ["公司注销登记"]},
    "43TCP0018": {"食品经营许可证核发（新办）": ["企业营业执照信息核验"], "公共场所卫生许可": ["企业营业执照信息核验"]},
    "LY-B-0001": {"旅馆业特种行业许可证核发": ["个体工商户设立登记"], "食品经营许可证核发（新办）": ["个体工商户设立登记"],
                  "公众聚集场所投入使用、营业前消防安全检查": ["其他建设工程消防验收备案"],
                  "新办纳税人“一照一码”户信息确认": ["个体工商户设立登记"]},
    "43PCP0020": {"离境退税商店备案": ["增值税一般纳税人登记"]},
    "43PCP0022": {"育儿补贴申领": ["出生登记（新生儿入户）"]},
    "43TC1700200Y": {"公众聚集场所投入使用、营业前消防安全检查": ["其他建设工程消防验收备案"]},
    "43TC18001000": {"公路超限运输许可": ["营运车辆道路运输证配发"]},
    "43TCP0006": {"新办纳税人“一照一码”户信息确认": ["公司变更登记"], "企业员工社会保险参保登记": ["公司变更登记"],
                  "住房公积金单位缴存登记": ["公司变更登记"]},
    "43TCP0009": {"新办纳税人“一照一码”户信息确认": ["企业设立登记（公司设立登记）"],
                  "公章刻制备案（印章刻制）": ["企业设立登记（公司设立登记）"]},
    "43TCP0012": {"外国人居留许可签发（工作类）": ["外国人来华工作许可"], "企业员工社会保险参保登记": ["外国人来华工作许可"]},
    "43TCP0013": {"外商投资信息报告": ["企业设立登记（公司设立登记）"]},
}


# ---------------------------------------------------------------- helpers
def mem(item, days=None, depends=(), when="", dept=None):
    """A member; without `days` its promise is the item's own, filled in by finalize()."""
    d, _ = CITY_IMPL.get(item, ("", ""))
    return {"item_name": item, "department": dept or d,
            "promised_workdays": num(days) if days not in (None, "") else "",
            "depends_on": ";".join(depends), "when": when}


def bundle(code, name, audience, theme, lead, days, source, illustrative, members,
           hall="city", steps="", mats="", questions=(), fields=(), promises=()):
    return {"code": code, "name": name, "audience": audience, "theme": theme, "hall_level": hall,
            "lead_department": lead, "promised_workdays": num(days), "steps_limit": steps,
            "materials_limit": mats, "source": source, "illustrative": illustrative,
            "members": members, "questions": list(questions), "fields": list(fields),
            "promises": list(promises)}


def rule(when, days):
    """A promise rule (bundle_promises.csv): the bundle promises `days` when the answers match `when`."""
    return {"when": when, "promised_workdays": num(days)}


def item_promise(item, hall):
    """The promised limit of the implementation that serves `item` in a bundle at this hall."""
    if hall == "township":
        return TOWN_IMPL.get(item, "")
    return CITY_IMPL.get(item, ("", ""))[1] if item in COUNTY_IMPLS else ""


def half_down(x):
    return Fraction(math.floor(x * 2), 2)


def chain_through(members):
    """item -> the longest dependency chain (sum of promises) passing through it, over these members."""
    by = {m["item_name"]: m for m in members}
    days = {i: Fraction(m["promised_workdays"]) for i, m in by.items()}
    deps = {i: [d for d in m["depends_on"].split(";") if d in by] for i, m in by.items()}
    users = defaultdict(list)
    for i, ds in deps.items():
        for d in ds:
            users[d].append(i)

    @functools.cache
    def ending(i):
        return days[i] + max((ending(d) for d in deps[i]), default=0)

    @functools.cache
    def starting(i):
        return days[i] + max((starting(u) for u in users[i]), default=0)
    return {i: ending(i) + starting(i) - days[i] for i in by}


# in-bundle promises set by hand before the proportional compression: (bundle, item) -> (days, why)
IN_BUNDLE = {
    ("43PCP0007", "内地居民结婚登记"): ("0.5", "符合条件的当场登记（《婚姻登记条例》），耒阳清单所列20个工作日不作一件事内时限"),
}


def finalize(b):
    """Write every member's promise inside the bundle explicitly (see the module docstring) and note in
    `source` which ones are illustrative."""
    zero = []
    for m in b["members"]:
        fixed = IN_BUNDLE.get((b["code"], m["item_name"]))
        if fixed:
            m["promised_workdays"] = fixed[0]
            b["source"] += f" | {m['item_name']}在一件事内按{fixed[0]}个工作日计：{fixed[1]}"
        if m["promised_workdays"] == "":
            m["promised_workdays"] = num(item_promise(m["item_name"], b["hall_level"]))
        if m["promised_workdays"] in ("", "0"):
            m["promised_workdays"] = "0.5"
            zero.append(m["item_name"])
    cut = []
    if b["promised_workdays"]:
        target = max([Fraction(b["promised_workdays"])] +
                     [Fraction(r["promised_workdays"]) for r in b["promises"]])
        through = chain_through(b["members"])
        if max(through.values()) > target:
            for m in b["members"]:
                own, length = Fraction(m["promised_workdays"]), through[m["item_name"]]
                if length > target:
                    m["promised_workdays"] = num(max(Fraction(1, 2), half_down(own * target / length)))
                    if Fraction(m["promised_workdays"]) != own:
                        cut.append(f"{m['item_name']} {num(own)}→{m['promised_workdays']}")
            while max(chain_through(b["members"]).values()) > target:  # half-day floors can overshoot
                through = chain_through(b["members"])
                m = max((m for m in b["members"] if Fraction(m["promised_workdays"]) > Fraction(1, 2)),
                        key=lambda m: (through[m["item_name"]], Fraction(m["promised_workdays"])))
                m["promised_workdays"] = num(Fraction(m["promised_workdays"]) - Fraction(1, 2))
    if cut:
        b["source"] += (f" | 成员在一件事内的承诺时限为示意压缩（illustrative：所在依赖链超过一件事承诺{b['promised_workdays']}个"
                        "工作日的成员按比例压缩，箭头前为该事项单独的承诺时限）：" + "；".join(cut))
    if zero:
        b["source"] += " | 即办成员在一件事内按0.5个工作日计（illustrative）：" + "；".join(zero)
    return b


def q(key, question, answers="yes;no", shows_if="", help_=""):
    return {"key": key, "question": question, "answers": answers, "shows_if": shows_if, "help": help_}


# The plan's six linked items (measure [12]). "员工社保/医保参保登记" is one item: the 市人社局
# registers both and the registration is shared with the 市医保局 (社保医保合并参保登记), so
# 企业员工基本医疗保险参保登记 is not a member of its own here.
QYKB = ["企业设立登记（公司设立登记）", "公章刻制备案（印章刻制）", "新办纳税人发票领用（含税务UKey发放）",
        "企业员工社会保险参保登记", "住房公积金单位缴存登记", "企业银行账户开立（基本存款账户）"]


def build_qykb(src_row):
    reg = QYKB[0]
    when = {QYKB[1]: "need_seal=yes", QYKB[2]: "need_invoice=yes", QYKB[3]: "has_employees=yes",
            QYKB[4]: "has_employees=yes"}
    members = [mem(reg, 0.5)] + [mem(i, 0.5, [reg], when.get(i, "")) for i in QYKB[1:]]
    S, T, E, G, B = QYKB[1:]
    fields = [
        fld("company_name", "企业名称", "yes", [f"{reg}:company_name", f"{S}:company_name", f"{T}:taxpayer_name",
                                             f"{E}:unit_name", f"{G}:unit_name", f"{B}:account_name"],
            meaning="enterprise.name"),
        fld("legal_representative", "法定代表人姓名", "yes", [f"{reg}:legal_representative", f"{S}:legal_representative",
                                                        f"{T}:legal_representative", f"{B}:legal_representative"],
            meaning="enterprise.legal_rep_name"),
        fld("legal_rep_id_number", "法定代表人身份证件号码", "yes", [f"{reg}:legal_rep_id_number", f"{S}:legal_rep_id_number",
                                                          f"{B}:legal_rep_id_number"],
            meaning="enterprise.legal_rep_id_number"),
        fld("address", "住所（经营场所）", "yes", [f"{reg}:address", f"{T}:business_address", f"{E}:unit_address",
                                          f"{G}:unit_address", f"{B}:address"]),
        fld("phone", "联系电话", "yes", [f"{reg}:phone", f"{S}:phone", f"{T}:phone", f"{E}:phone",
                                      f"{G}:phone", f"{B}:phone"]),
        # 元, as MAPS_TO has the meaning and the members' form asks it (the paper 申请书 says 万元).
        fld("registered_capital", "注册资本（元）", "yes", [f"{reg}:registered_capital", f"{B}:registered_capital"],
            "number", meaning="enterprise.registered_capital"),
        fld("business_scope", "经营范围", "yes", [f"{reg}:business_scope", f"{T}:business_scope"],
            meaning="enterprise.business_scope"),
        fld("agent_name", "经办人姓名", "no", [f"{S}:agent_name", f"{T}:agent_name", f"{G}:agent_name", f"{B}:agent_name"]),
        fld("employee_count", "拟招用员工人数", "no", [f"{E}:employee_count", f"{G}:employee_count"]),
        fld("seal_types", "拟刻制印章种类", "no", [f"{S}:seal_types"]),
        fld("invoice_types", "申领发票种类及数量", "no", [f"{T}:invoice_types"]),
    ]
    questions = [
        q("need_seal", "是否需要刻制印章", help_="企业开办免费刻制公章等印章；不刻制的可稍后单独办理"),
        q("need_invoice", "是否申领发票", help_="申领的同时发放税务UKey"),
        q("has_employees", "是否招用员工", help_="招用员工的同步办理社保医保合并参保登记（市人社局受理，信息共享至市医保局）和住房公积金单位缴存登记"),
    ]
    src = (f"{PLAN}（措施12：企业开办六个联办事项，环节≤3、材料≤6份、1个工作日办结，企业设立登记≤0.5个工作日）"
           f" | {SHARED_CITE}（{src_row['name']}）")
    return bundle("LY-QYKB", "企业开办一件事", "enterprise", "企业开办", "市市场监督管理局", 1, src, "no", members,
                  steps="3", mats="6", questions=questions, fields=fields)


def build_researched():
    out, missing_note = [], {}
    rows = read(SHARED / "bundles.csv")
    ly_seq = 0
    for r in rows:
        code = r["theme_code"]
        aud = "enterprise" if r["audience"] == "法人" else "person"
        if r["name"].startswith("企业开办"):
            out.append(build_qykb(r))
            continue
        if not code:
            ly_seq += 1
            code = f"LY-B-{ly_seq:04d}"
        theme, lead_default = THEME_OF.get(code, ("个人创业" if aud == "person" else "企业开办", ""))
        lead = r["leiyang_lead_department"].strip()
        lead = DEPT_BY_FULL.get(lead, lead)
        per = {}
        for part in r["member_promised_workdays"].split(";"):
            if "=" in part:
                k, v = part.rsplit("=", 1)
                per[k] = v
        members, missing, seen = [], [], set()
        for m in [x for x in r["member_items"].split(";") if x]:
            item = MEMBER_MAP.get(m, m)
            if item not in ITEM_SET:
                missing.append(m)
                continue
            if item in seen:
                continue
            seen.add(item)
            members.append(mem(item, per.get(m)))
        illus = "no"
        hall = "township" if code in RESEARCHED_TOWNSHIP else "city"
        src = f"{SHARED_CITE}（{r['name']}） | {r['source']}"
        if not members and code in ILLUSTRATIVE_MEMBERS:
            members = [mem(i, dept=TOWNSHIP_LEAD if hall == "township" else None)
                       for i in ILLUSTRATIVE_MEMBERS[code]]
            illus = "yes"
            src += " | 主题真实；成员事项未从耒阳实施清单提取，本包按主题示意选取，待核对"
            added = [i for i in ILLUSTRATIVE_MEMBERS[code] if ITEM_BY[i]["source"].startswith("一件事成员示意新增")]
            if added:
                src += "；其中" + "、".join(added) + "为本包示意新增事项（items.csv illustrative=yes）"
        if hall == "township":
            lead = TOWNSHIP_LEAD
            src += " | 宅基地审批为乡镇（街道）事权，本一件事在乡镇（街道）便民服务中心办理"
        if missing:
            src += " | 成员事项未入库：" + "；".join(missing)
        if not r["leiyang_promised_workdays"]:
            src += " | 耒阳承诺时限未核实"
        if lead not in DEPT_SHORT:
            lead = lead_default or (members[0]["department"] if members else "市政务服务中心")
        deps = DEPENDS.get(code, {})
        for m in members:
            m["depends_on"] = ";".join(d for d in deps.get(m["item_name"], []) if d in seen or illus == "yes")
        b = bundle(code, r["name"], aud, theme, lead, r["leiyang_promised_workdays"], src, illus, members,
                   hall=hall)
        special(b)
        out.append(finalize(b))
    return out


def special(b):
    names = {m["item_name"]: m for m in b["members"]}
    if b["code"] in SETUP:
        questions, whens = SETUP[b["code"]]
        b["questions"] = [q(k, text, answers, shows, help_) for k, text, answers, shows, help_ in questions]
        for item, when in whens.items():
            names[item]["when"] = when
    if b["code"] == "43TCN0003":            # 开办餐饮店
        names["食品小经营许可证核发（小餐饮）"]["when"] = "area_over_50=no"
        names["食品经营许可证核发（新办）"]["when"] = "area_over_50=yes"
        names["户外招牌设施规范管理（设置备案）"]["when"] = "has_signboard=yes"
        b["members"].append(mem("烟草专卖零售许可证核发", when="sells_tobacco=yes"))
        b["questions"] = [
            q("area_over_50", "经营面积是否超过50平方米",
              help_="50平方米以下的小餐饮办理食品小经营许可证，超过的办理食品经营许可证"),
            q("sells_tobacco", "是否销售卷烟", help_="销售卷烟须办理烟草专卖零售许可证（本包示意加入）"),
            q("has_signboard", "是否设置户外招牌"),
        ]
        L, S, F = "食品经营许可证核发（新办）", "食品小经营许可证核发（小餐饮）", "公众聚集场所投入使用、营业前消防安全检查"
        b["fields"] = [
            fld("shop_name", "店铺名称（营业执照名称）", "yes", ["企业营业执照信息核验:company_name", f"{L}:operator_name", f"{S}:operator_name", f"{F}:unit_name"]),
            fld("address", "经营场所地址", "yes", [f"{L}:business_address", f"{S}:business_address", f"{F}:address", "户外招牌设施规范管理（设置备案）:address"]),
            fld("area", "经营面积（平方米）", "yes", [f"{L}:area", f"{S}:area", f"{F}:area"], kind="number"),
            fld("phone", "联系电话", "yes", [f"{L}:phone", f"{S}:phone", f"{F}:phone"]),
            fld("business_items", "经营项目（含是否销售酒类）", "yes", [f"{L}:business_items", f"{S}:business_items"]),
        ]
        b["source"] += (" | 烟草专卖零售许可证核发为本包示意加入 | 未设“是否销售酒类”问题：本包没有单独的酒类经营事项，"
                        "销售酒类在食品（小）经营许可的经营项目中载明（填“经营项目”字段）")
    elif b["code"] == "43TCN0004":          # 水电气网联合报装
        # 供电报装 is always part of the request (every way of answering must leave a member); the others are
        # chosen. The Leiyang checklist promises 2 days but lists 外线工程联合审批 at 5: with external works the
        # bundle promises 5 (bundle_promises.csv; measure 18 allows 5).
        keys = {"供排水报装": "need_water", "燃气报装": "need_gas",
                "通信报装（光纤到户及通信基础设施）": "need_telecom", "广播电视报装（有线网络接入）": "need_tv",
                "水电气网接入外线工程联合审批": "needs_external_works"}
        labels = {"need_water": "是否需要用水（供排水）报装",
                  "need_gas": "是否需要用气报装", "need_telecom": "是否需要通信（宽带）报装",
                  "need_tv": "是否需要有线电视报装", "needs_external_works": "是否涉及外线施工（占道、挖掘等）"}
        for i, k in keys.items():
            names[i]["when"] = f"{k}=yes"
        b["questions"] = [q(k, labels[k], help_=("外线工程并联审批，审批时间不超过5个工作日（措施18）"
                                                if k == "needs_external_works" else "")) for k in labels]
        b["promises"] = [rule("needs_external_works=yes", 5)]
        every = ["供电报装（低压/高压）", *keys]
        b["fields"] = [
            fld("applicant_name", "报装单位（个人）名称", "yes", [f"{i}:applicant_name" for i in every]),
            fld("project_address", "用水用电用气地址", "yes", [f"{i}:address" for i in every]),
            fld("phone", "联系电话", "yes", [f"{i}:phone" for i in every]),
            fld("power_capacity", "申请用电容量（千伏安）", "no", ["供电报装（低压/高压）:capacity"], kind="number"),
        ]
        b["lead_department"] = "市政务服务中心"
        b["source"] += (f" | {PLAN}（措施17：政务服务中心设报装综合窗口牵头） | 耒阳实施清单牵头单位为耒阳市住房和城乡建设局"
                        " | 供电报装为每次报装必办（不设“是否用电”问题，否则全部答“否”时无事项可办）"
                        " | 耒阳清单一件事承诺2个工作日，但所列外线工程联合审批为5个工作日：涉及外线施工时按5个工作日承诺"
                        "（bundle_promises.csv，措施18外线审批≤5个工作日） | 措施17的环节、材料上限按事项设在 items.csv"
                        "（steps_limit、materials_limit），见市政公用服务报装一件事 LY-SZBZ")
    elif b["code"] == "43TCN0008":          # 企业注销
        for i, w in [("公司注销登记", "entity_type=company"), ("个体工商户注销登记", "entity_type=individual_business"),
                     ("参保单位注销（注销社会保险登记）", "has_employees=yes"), ("住房公积金单位缴存登记注销", "has_employees=yes"),
                     ("企业银行账户撤销（预约销户）", "entity_type=company"), ("企业印章注销", "entity_type=company")]:
            if i in names:
                names[i]["when"] = w
        b["questions"] = [q("entity_type", "市场主体类型", "company:公司;individual_business:个体工商户"),
                          q("has_employees", "是否曾参保或缴存住房公积金", shows_if="entity_type=company")]
        for m in b["members"]:
            m["depends_on"] = ";".join(d for d in m["depends_on"].split(";")
                                       if d and not (m["when"] == "entity_type=individual_business" and d != "税务注销（清税）"))
    elif b["code"] == "43PCP0007":
        b["questions"] = [q("spouse_moves_hukou", "是否办理夫妻投靠落户"), q("plan_birth", "是否同时办理生育登记")]
        names["夫妻投靠户口迁移"]["when"] = "spouse_moves_hukou=yes"
        names["生育登记"]["when"] = "plan_birth=yes"
        b["fields"] = [fld("groom_name", "男方姓名", "yes", ["内地居民结婚登记:groom_name", "变更户口婚姻状况:name"]),
                       fld("bride_name", "女方姓名", "yes", ["内地居民结婚登记:bride_name", "生育登记:name"]),
                       fld("phone", "联系电话", "yes", ["内地居民结婚登记:phone", "夫妻投靠户口迁移:phone", "生育登记:phone"])]


def build_external_works():
    """Plan measure 18: 外线施工 — one form, the permits approved in parallel, ≤ 5 working days and ≤ 1 for
    small works (a promise rule). Every member is 1 day inside the bundle so both promises hold."""
    road, zone, dig = "占用、挖掘城市道路审批", "在公路建筑控制区内埋设管线、电缆等设施许可", "占用、挖掘公路或使公路改线审批"
    trees, green = "城市树木砍伐、迁移审批", "临时占用城市绿地审批"
    members = [mem(road, 1), mem(dig, 1, when="digs_highway=yes"), mem(zone, 1, when="highway_zone=yes"),
               mem(green, 1, when="occupies_green=yes"), mem(trees, 1, when="moves_trees=yes")]
    qs = [q("small_works", "是否为小型外线工程",
            help_="小型工程（开挖规模小、工期短的接入工程，标准以住建、城管部门公布为准）1个工作日内完成审批（措施18）"),
          q("digs_highway", "是否占用、挖掘公路", help_="涉路施工许可（交通运输部门）"),
          q("highway_zone", "是否在公路建筑控制区内埋设管线、电缆"),
          q("occupies_green", "是否临时占用城市绿地"),
          q("moves_trees", "是否需要砍伐、迁移城市树木")]
    every = [m["item_name"] for m in members]
    fs = [fld("applicant_name", "建设单位名称", "yes", [f"{i}:applicant_name" for i in every]),
          fld("route", "施工路段及范围", "yes", [f"{i}:route" for i in (road, dig, zone, green)]),
          fld("excavation_area", "开挖（占用）面积（平方米）", "yes", [f"{i}:excavation_area" for i in (road, dig, green)],
              kind="number"),
          fld("work_period", "施工期限", "yes", [f"{i}:work_period" for i in every]),
          fld("phone", "联系电话", "yes", [f"{i}:phone" for i in every])]
    src = (f"{PLAN}（措施18：外线施工一张表单、并联审批、一网通办，审批不超过5个工作日，小型工程1个工作日）"
           " | 成员事项按耒阳事项库选取，并联办理，各成员一件事内时限1个工作日为示意（illustrative，使小型工程1个工作日的承诺成立）"
           " | 小型工程的1个工作日承诺见 bundle_promises.csv"
           " | 水电气网接入外线工程联合审批本身即本一件事，不再列为成员")
    return finalize(bundle("LY-WXSG", "市政设施建设类审批（外线施工）一件事", "enterprise", "水电气网报装", "市政务服务中心", 5,
                  src, "no", members, questions=qs, fields=fs, promises=[rule("small_works=yes", 1)]))


def build_utilities():
    """Plan measure 17: 市政公用服务报装 — water, drainage, power, gas, telecom and broadcast in one request.
    Power is always part of it (low or high voltage decides the item); the applicant picks the others."""
    power = ["低压供电报装", "高压供电报装"]
    members = [mem("低压供电报装", when="power_voltage=low"), mem("高压供电报装", when="power_voltage=high"),
               mem("供水报装", when="need_water=yes"), mem("排水接入", when="need_drainage=yes"),
               mem("燃气报装", when="need_gas=yes"),
               mem("通信报装（光纤到户及通信基础设施）", when="need_telecom=yes"),
               mem("广播电视报装（有线网络接入）", when="need_tv=yes")]
    qs = [q("power_voltage", "用电报装类型", "low:低压（居民、小微企业等）;high:高压（专用变压器）",
            help_="每次报装均办理用电：低压办电不超过3个环节，高压不超过4个环节（措施17）"),
          q("need_water", "是否需要用水报装", help_="用水接入不超过3个环节、申请材料不超过2件（措施17）"),
          q("need_drainage", "是否需要排水接入"),
          q("need_gas", "是否需要用气报装", help_="用气接入不超过3个环节、申请材料不超过2件（措施17）"),
          q("need_telecom", "是否需要通信（宽带）报装"),
          q("need_tv", "是否需要有线电视报装")]
    every = [m["item_name"] for m in members]
    fs = [fld("applicant_name", "报装单位名称", "yes", [f"{i}:applicant_name" for i in every]),
          fld("project_address", "报装地址", "yes", [f"{i}:address" for i in every]),
          fld("phone", "联系电话", "yes", [f"{i}:phone" for i in every]),
          fld("power_capacity", "申请用电容量（千伏安）", "yes", [f"{i}:capacity" for i in power], kind="number")]
    src = (f"{PLAN}（措施17：一站式办理供水、供电、供气、排水、通信、广播电视等市政公用服务，一窗受理、一次申请；"
           "电力高压客户办理环节4个、低压3个；用水用气环节≤3个、申请材料≤2件）"
           " | 成员事项中供水报装、排水接入、低压供电报装、高压供电报装为本包示意新增（items.csv illustrative=yes），"
           "环节、材料上限见 items.csv steps_limit、materials_limit | 牵头部门按耒阳水电气网联合报装清单（耒阳市住房和城乡建设局）"
           " | 一件事承诺时限未定，按成员依赖链最长者计")
    return finalize(bundle("LY-SZBZ", "市政公用服务报装一件事", "enterprise", "水电气网报装", "市住建局", "", src, "no",
                           members, questions=qs, fields=fs))


def build_talents():
    """Plan measure 15: 政策兑现一件事 for talents — 人才住房补贴 always, 落户 and 子女入学 as the talent needs
    them, in parallel (issue 14 §1). 人才住房补贴申领 and 人才引进落户 are illustrative items added for it."""
    housing, settle, school = "人才住房补贴申领", "人才引进落户（户口迁入）", "义务教育阶段新生入学报名（新生入学信息采集）"
    members = [mem(housing), mem(settle, when="settles=yes"), mem(school, when="child_school=yes")]
    qs = [q("settles", "是否同时办理人才落户（户口迁入）", help_="本人及共同居住的配偶、未成年子女可一并落户"),
          q("child_school", "是否有子女需办理义务教育阶段入学", help_="按居住地（或落户地）就近入学报名")]
    # 子女入学 has its own form (the child's 学籍 record), asked at the wizard's step 2: nothing mapped to it.
    fs = [fld("applicant_name", "姓名", "yes", [f"{i}:name" for i in (housing, settle)]),
          fld("phone", "联系电话", "yes", [f"{i}:phone" for i in (housing, settle)]),
          fld("employer", "工作单位", "yes", [f"{housing}:employer", f"{settle}:employer"])]
    src = (f"{PLAN}（措施15：持续推进政策兑现一件事一次办，在人才引进等领域进行审批链条再造和环节重构；"
           "市人社局牵头） | 成员事项为本包示意选取：人才住房补贴申领、人才引进落户（户口迁入）为本包示意新增"
           "（items.csv illustrative=yes），子女入学用耒阳实施清单的义务教育阶段新生入学报名 | 并联办理；"
           "一件事承诺时限未定，按成员依赖链最长者计 | 惠企政策库的人才补贴事项可链接本一件事（docs/policies.md）")
    return finalize(bundle("LY-RCDX", "人才政策兑现一件事", "person", "就业", "市人社局", "", src, "yes",
                           members, questions=qs, fields=fs))


REG, IND, TAXC, SEAL = "企业设立登记（公司设立登记）", "个体工商户设立登记", "新办纳税人“一照一码”户信息确认", "公章刻制备案（印章刻制）"
FIRE = "公众聚集场所投入使用、营业前消防安全检查"
CURATED_CITY = [  # name, audience, theme, members, modelled on
    ("开办个体工商户一件事", "person", "个人创业", [IND, TAXC, "就业创业证申领", "灵活就业人员企业职工基本养老保险参保登记"], "湖南“个人创业一件事”"),
    ("开办合伙企业一件事", "enterprise", "企业开办", ["合伙企业设立登记", SEAL, "新办纳税人发票领用（含税务UKey发放）", "企业银行账户开立（基本存款账户）"], "耒阳企业开办一件事"),
    ("开办个人独资企业一件事", "enterprise", "企业开办", ["个人独资企业设立登记", SEAL, "新办纳税人发票领用（含税务UKey发放）", "企业银行账户开立（基本存款账户）"], "耒阳企业开办一件事"),
    ("设立分公司一件事", "enterprise", "企业开办", ["分公司设立登记", SEAL, "新办纳税人发票领用（含税务UKey发放）", "企业员工社会保险参保登记"], "耒阳企业开办一件事"),
    ("开办农民专业合作社一件事", "enterprise", "农业经营", ["农民专业合作社（联合社）设立登记", SEAL, "企业银行账户开立（基本存款账户）", TAXC], "耒阳企业开办一件事"),
    ("开办药店一件事", "enterprise", "医疗机构经营", [REG, "药品零售企业经营许可（药品经营许可证核发·零售）", "零售药店申请定点协议管理"], "湖南2019年“我要开药店”"),
    ("开办诊所一件事", "person", "医疗机构经营", ["诊所执业备案", "医师执业注册", "护士执业注册"], "湖南2019年“我要开诊所”"),
    ("开办民办幼儿园一件事", "enterprise", "办学", ["幼儿园（民办）设立审批", "民办非企业单位成立登记", SEAL, "食品经营许可证核发（新办）"], "湖南2019年“我要开办幼儿园”"),
    ("开办歌舞娱乐场所一件事", "enterprise", "文旅经营", [REG, "娱乐经营许可证核发（歌舞娱乐场所）", FIRE, "公共场所卫生许可"], "湖南2019年“我要开歌舞厅”"),
    ("开办网吧一件事", "enterprise", "文旅经营", [REG, "互联网上网服务营业场所经营单位设立审批", FIRE], "湖南2019年“我要开网吧”"),
    ("开办宾馆一件事", "enterprise", "文旅经营", [REG, "旅馆业特种行业许可证核发", "公共场所卫生许可", FIRE, "食品经营许可证核发（新办）"], "湖南2019年“我要开宾馆”"),
    ("开办游泳馆一件事", "enterprise", "文旅经营", [REG, "经营高危险性体育项目（游泳）许可", "公共场所卫生许可", FIRE], "湖南2019年“我要开游泳馆”"),
    ("开办养老机构一件事", "enterprise", "养老", ["民办非企业单位成立登记", "养老机构设立备案", "食品经营许可证核发（新办）", FIRE], "湖南2019年“我要开养老院”"),
    ("开办驾校一件事", "enterprise", "运输经营", [REG, "机动车驾驶员培训备案", SEAL], "湖南2019年“我要开驾校”"),
    ("开办汽车维修店一件事", "enterprise", "运输经营", [REG, "机动车维修经营备案", "建设项目环境影响登记表备案"], "湖南2019年“我要开汽修店”"),
    ("开办烟花爆竹零售店一件事", "person", "安全生产", [IND, "烟花爆竹经营（零售）许可证核发", TAXC], "湖南2019年“一件事一次办”经营类事项"),
    ("开办书店一件事", "person", "文旅经营", [IND, "出版物零售单位设立审批", TAXC], "湖南2019年“我要开书店”"),
    ("开办农资店一件事", "person", "农业经营", [IND, "农药经营许可证核发", "农作物种子生产经营许可"], "湖南2019年“一件事一次办”经营类事项"),
    ("开办食品小作坊一件事", "person", "农业经营", [IND, "食品小作坊登记证核发", TAXC], "湖南2019年“一件事一次办”经营类事项"),
    ("开办畜禽养殖场一件事", "person", "农业经营", ["畜禽养殖场、养殖小区备案", "动物防疫条件合格证核发", "建设项目环境影响登记表备案"], "湖南2019年“我要开养殖场”"),
    ("开办危险化学品经营企业一件事", "enterprise", "安全生产", [REG, "危险化学品经营许可证核发（不带储存设施）", "生产经营单位生产安全事故应急预案备案"], "湖南2019年“一件事一次办”经营类事项"),
    ("开办劳务派遣公司一件事", "enterprise", "员工用工", [REG, "劳务派遣经营许可", SEAL], "湖南2019年“一件事一次办”经营类事项"),
    ("开办出租汽车公司一件事", "enterprise", "运输经营", [REG, "出租汽车经营许可", "巡游出租汽车驾驶员从业资格注册"], "湖南2019年“一件事一次办”经营类事项"),
    ("开办医疗机构一件事", "enterprise", "医疗机构经营", ["医疗机构执业登记（县级）", "放射诊疗许可", "医师执业注册", "护士执业注册"], "湖南2019年“我要开医院”"),
    ("旅行社设立分社一件事", "enterprise", "文旅经营", ["分公司设立登记", "旅行社设立分社备案", SEAL], "湖南2019年“一件事一次办”经营类事项"),
    ("离婚一件事", "person", "婚姻", ["内地居民离婚登记", "变更户口婚姻状况"], "湖南“结婚落户一件事”"),
    ("收养一件事", "person", "收养", ["中国公民收养子女登记", "户口登记项目变更更正", "城乡居民基本医疗保险参保登记"], "湖南“新生儿出生一件事”"),
    ("出国（境）证件办理一件事", "person", "出境入境", ["普通护照签发", "往来港澳通行证及签注签发"], "湖南“高效办成一件事”证件类主题"),
    ("二手房买卖一件事", "person", "住房", ["不动产转移登记（存量房买卖）", "契税申报", "不动产抵押登记"], "湖南“新房购置一件事”"),
    ("开办出版物、艺术品经营一件事", "enterprise", "文旅经营", [REG, "出版物零售单位设立审批", "设立艺术品经营单位备案"], "湖南2019年“一件事一次办”经营类事项"),
]
CURATED_TOWNSHIP = [
    ("农村村民建房一件事（乡镇）", "person", "农村建房", ["农村村民宅基地审批", "乡村建设规划许可证核发"]),
    ("农村危房改造一件事（乡镇）", "person", "农村建房", ["农村危房改造补助申请", "乡村建设规划许可证核发"]),
    ("城乡居民参保一件事（乡镇）", "person", "社会保险", ["城乡居民基本养老保险参保登记代办", "城乡居民基本医疗保险参保缴费代办"]),
    ("高龄老人福利一件事（乡镇）", "person", "养老", ["高龄津贴申领代办", "城乡居民基本养老保险待遇申领"]),
    ("残疾人证和两项补贴一件事（乡镇）", "person", "残疾", ["残疾人证申领代办", "残疾人两项补贴申请代办"]),
    ("困难群众救助一件事（乡镇）", "person", "社会救助", ["最低生活保障对象认定、保障金给付", "临时救助对象认定、救助金给付", "特困人员认定、救助供养金给付"]),
    ("计划生育家庭扶助一件事（乡镇）", "person", "生育", ["计划生育家庭特别扶助金", "农村部分计划生育家庭奖励扶助金", "独生子女父母光荣证补办"]),
    ("生育登记和参保一件事（乡镇）", "person", "生育", ["生育登记", "城乡居民基本医疗保险参保登记"]),
    ("拥军优属一件事（乡镇）", "person", "退役军人", ["兵役登记", "义务兵家庭优待金给付"]),
    ("退役军人优待参保一件事（乡镇）", "person", "退役军人", ["退役军人优待证申领", "城乡居民基本养老保险参保登记"]),
    ("失业人员服务一件事（乡镇）", "person", "就业", ["失业登记", "社会保险个人权益记录查询打印", "城乡居民基本养老保险参保登记"]),
    ("农户惠农补贴一件事（乡镇）", "person", "农业农村", ["耕地地力保护补贴申报", "农村部分计划生育家庭奖励扶助金"]),
    ("农村矛盾纠纷调处一件事（乡镇）", "person", "法律服务", ["人民调解（民事纠纷调解）", "农村土地承包经营纠纷调解"]),
    ("村庄临时建筑审批一件事（乡镇）", "person", "农村建房", ["在村庄、集镇规划区内公共场所修建临时建筑等设施审批", "乡村建设规划许可证核发"]),
    ("残疾人补贴发放一件事（乡镇）", "person", "残疾", ["困难残疾人生活补贴发放", "重度残疾人护理补贴发放"]),
    ("城乡居民养老待遇一件事（乡镇）", "person", "养老", ["城乡居民基本养老保险待遇申领", "社会保险个人权益记录查询打印"]),
    ("特困供养和医保代缴一件事（乡镇）", "person", "社会救助", ["特困人员认定、救助供养金给付", "城乡居民基本医疗保险参保缴费代办", "高龄津贴发放"]),
]
LICENSE_THEMES = ["经营许可", "文旅经营", "运输经营", "农业经营", "医疗机构经营", "办学", "安全生产", "环境保护"]


def illus_bundle(code, name, aud, theme, items, modelled, hall="city"):
    if hall == "township":
        members = [mem(i, dept=(TOWNSHIP_LEAD if i in TOWNSHIP_ITEMS else None)) for i in items]
        lead = TOWNSHIP_LEAD
    else:
        members = [mem(i) for i in items]
        lead = members[0]["department"]
    for m in members[1:]:
        if items[0] in (REG, IND) or items[0].endswith("设立登记"):
            m["depends_on"] = items[0]
    src = (f"示意一件事（illustrative），参照{modelled}组合，成员取自本包 items.csv；"
           f"用于补足 {PLAN} 措施11所列268项（市大厅251项、乡镇17项）的演示数量，非耒阳公布目录原文"
           " | 一件事承诺时限未定，按成员依赖链最长者计")
    return finalize(bundle(code, name, aud, theme, lead, "", src, "yes", members, hall=hall))


def servable(items, hall):
    """Whether every item has an implementation that a bundle at this hall can use."""
    if hall == "township":
        return all(i in TOWN_IMPL for i in items)
    return all(i in COUNTY_IMPLS for i in items)


# items added to items.csv only to give the researched themes members: kept out of the generated pool, so
# that the illustrative bundles (and their codes) stay as they were
BUNDLE_ONLY = {r["name"] for r in ITEMS if r["source"].startswith("一件事成员示意新增")}


def auto_pool():
    pool = []
    ITEMS = [r for r in globals()["ITEMS"] if r["name"] not in BUNDLE_ONLY]
    for r in ITEMS:
        th = [t for t in r["themes"].split(";") if t in LICENSE_THEMES]
        if th and "2" in r["audience"].split(";") and r["name"] not in (REG,):
            pool.append((f"企业开办＋{r['name']}一件事", "enterprise", th[0], [REG, r["name"], TAXC, SEAL], "耒阳企业开办一件事与湖南2019年“我要开XX”"))
    for r in ITEMS:
        th = [t for t in r["themes"].split(";") if t in LICENSE_THEMES]
        if th and "1" in r["audience"].split(";"):
            pool.append((f"个体经营＋{r['name']}一件事", "person", "个人创业", [IND, r["name"], TAXC], "湖南“个人创业一件事”"))
    for t, trow in THEMES.items():
        its = [r["name"] for r in ITEMS if t in r["themes"].split(";")]
        for k in range(0, max(len(its) - 2, 0), 2):
            grp = its[k:k + 3]
            pool.append((f"{t}服务联办（{grp[0]}等{len(grp)}项）", trow["audience"], t, grp, f"湖南“高效办成一件事”{t}类主题"))
    return pool


# Retired illustrative bundles: their codes are not reused. LY-X-0001 (农村村民建房一件事（乡镇）) duplicated the
# researched 农村建房一件事 43TC2000100Y, which is now handled at the township halls itself.
RETIRED = {"农村村民建房一件事（乡镇）"}


def build_all():
    bundles = build_researched()
    bundles.append(build_external_works())
    bundles.append(build_utilities())
    bundles.append(build_talents())
    seen_sets = {frozenset(m["item_name"] for m in b["members"]) for b in bundles if b["members"]}
    names = {b["name"] for b in bundles}
    seq = 0
    city_needed = CITY_TOTAL - sum(1 for b in bundles if b["hall_level"] == "city")
    for name, aud, theme, items in CURATED_TOWNSHIP:
        seq += 1
        if name in RETIRED:
            continue
        bundles.append(illus_bundle(f"LY-X-{seq:04d}", name, aud, theme, items, "耒阳乡镇（街道）便民服务中心代办事项", "township"))
    added = 0
    for name, aud, theme, items, modelled in CURATED_CITY + auto_pool():
        if added >= city_needed:
            break
        items = [i for i in dict.fromkeys(items) if i in ITEM_SET]
        fs = frozenset(items)
        if not (2 <= len(items) <= 8) or fs in seen_sets or name in names:
            continue
        seen_sets.add(fs)
        names.add(name)
        seq += 1
        if not servable(items, "city"):
            continue  # a member without a county implementation (a township power): the code stays unused
        added += 1
        bundles.append(illus_bundle(f"LY-X-{seq:04d}", name, aud, theme, items, modelled))
    return bundles


B_HDR = ["code", "name", "audience", "theme", "hall_level", "lead_department", "promised_workdays", "steps_limit",
         "materials_limit", "source", "illustrative"]
M_HDR = ["bundle_code", "item_name", "department", "promised_workdays", "depends_on", "when", "position"]
Q_HDR = ["bundle_code", "key", "question", "answers", "shows_if", "help"]
F_HDR = ["bundle_code", "field", "label", "required", "maps_to", "kind", "meaning"]
P_HDR = ["bundle_code", "when", "promised_workdays"]


def generate():
    bundles = build_all()
    mrows, qrows, frows, prows = [], [], [], []
    for b in bundles:
        for pos, m in enumerate(b["members"], 1):
            mrows.append(dict(m, bundle_code=b["code"], position=pos))
        qrows += [dict(x, bundle_code=b["code"]) for x in b["questions"]]
        frows += [dict(x, bundle_code=b["code"]) for x in b["fields"]]
        prows += [dict(x, bundle_code=b["code"]) for x in b["promises"]]
    write("bundles.csv", B_HDR, bundles)
    write("bundle_members.csv", M_HDR, mrows)
    write("bundle_questions.csv", Q_HDR, qrows)
    write("bundle_fields.csv", F_HDR, frows)
    write("bundle_promises.csv", P_HDR, prows)
    write("material_identities.csv", ["identity", "names"],
          [{"identity": i, "names": ";".join(n for n in ns if n in MATERIAL_NAMES)} for i, ns in IDENTITIES])
    print(f"wrote {len(bundles)} bundles, {len(mrows)} members, {len(qrows)} questions, {len(frows)} fields, "
          f"{len(prows)} promise rules, {len(IDENTITIES)} material identities")


def conds(s):
    return [tuple(p.split("=", 1)) for p in s.split(";") if p] if s else []


KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
KINDS = {"", "text", "long_text", "number", "phone", "id_number", "uscc", "date"}
BY_REGION = ("各乡镇人民政府", "乡镇人民政府", "街道办事处", "·")  # as zhengwu/packs/bundles.py
MAX_COMBINATIONS = 4096                                          # as zhengwu/bundles/definition.py


def days_ok(v):
    try:
        d = Fraction(v)
    except (ValueError, ZeroDivisionError):
        return False
    return 0 < d <= 999 and (d * 2).denominator == 1


def served(item, dept, hall):
    """Whether the loader finds a published implementation for this member (zhengwu/bundles/selectors.py)."""
    if hall == "township":
        return item in TOWN_IMPL
    if any(mark in dept for mark in BY_REGION):
        return item in COUNTY_IMPLS
    return dept in COUNTY_IMPLS.get(item, {})


def longest_chain(members):
    """The longest chain of member promises along dependencies among these members (critical_path)."""
    return max(chain_through(members).values(), default=Fraction(0)) if members else Fraction(0)


def answer_ways(questions):
    """Every way of answering, keeping only the questions shown (check_answers / _combinations)."""
    seen = set()
    for combo in itertools.product(*[[a.split(":")[0] for a in x["answers"].split(";")] for x in questions]):
        kept = {}
        for x, value in zip(questions, combo):
            if all(kept.get(k) == v for k, v in conds(x["shows_if"])):
                kept[x["key"]] = value
        sig = tuple(sorted(kept.items()))
        if sig not in seen:
            seen.add(sig)
            yield kept


def check():
    errs = []
    files = ["bundles.csv", "bundle_members.csv", "bundle_questions.csv", "bundle_fields.csv", "bundle_promises.csv",
             "material_identities.csv"]
    for n in files:
        raw = (PACK / n).read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            errs.append(f"{n}: BOM")
        text = raw.decode("utf-8")
        # No absolute path of the machine that built the pack may leak into its data.
        if re.search(r"(^|[\s,])/(?:[a-z]+/){2,}", text):
            errs.append(f"{n}: absolute path")
    bs, ms = read(PACK / "bundles.csv"), read(PACK / "bundle_members.csv")
    qs, fs, ids = read(PACK / "bundle_questions.csv"), read(PACK / "bundle_fields.csv"), read(PACK / "material_identities.csv")
    ps = read(PACK / "bundle_promises.csv")
    codes = Counter(b["code"] for b in bs)
    errs += [f"duplicate bundle code {c}" for c, k in codes.items() if k > 1]
    errs += [f"duplicate bundle name {c}" for c, k in Counter(b["name"] for b in bs).items() if k > 1]
    lv = Counter(b["hall_level"] for b in bs)
    if lv["city"] != CITY_TOTAL or lv["township"] != TOWNSHIP_TOTAL or len(bs) != CITY_TOTAL + TOWNSHIP_TOTAL:
        errs.append(f"hall levels {dict(lv)} != city {CITY_TOTAL} + township {TOWNSHIP_TOTAL}")
    by_code = {b["code"]: b for b in bs}
    members, questions, rules = defaultdict(list), defaultdict(list), defaultdict(list)
    for m in ms:
        members[m["bundle_code"]].append(m)
    for x in qs:
        questions[x["bundle_code"]].append(x)
    for r in ps:
        rules[r["bundle_code"]].append(r)
    for c in set(members) | set(questions) | set(rules) | {f["bundle_code"] for f in fs}:
        if c not in codes:
            errs.append(f"rows of unknown bundle {c}")
    for b in bs:
        c, hall = b["code"], b["hall_level"]
        if b["audience"] not in ("person", "enterprise"):
            errs.append(f"{c}: audience {b['audience']}")
        if hall not in ("city", "township"):
            errs.append(f"{c}: hall_level {hall}")
        if b["theme"] not in THEMES:
            errs.append(f"{c}: theme {b['theme']} not in themes.csv")
        if b["lead_department"] not in DEPT_SHORT:
            errs.append(f"{c}: lead department {b['lead_department']} not in departments.csv")
        if b["illustrative"] not in ("yes", "no"):
            errs.append(f"{c}: illustrative {b['illustrative']}")
        if not b["source"]:
            errs.append(f"{c}: no source")
        if b["promised_workdays"] and not days_ok(b["promised_workdays"]):
            errs.append(f"{c}: promised_workdays {b['promised_workdays']} is not a whole or half number > 0")
        for k in ("steps_limit", "materials_limit"):
            if b[k] and not b[k].isdigit():
                errs.append(f"{c}: {k} {b[k]}")
        own = members[c]
        if not own:
            errs.append(f"{c}: no members")
        if b["illustrative"] == "yes" and c.startswith("LY-X-") and not 2 <= len(own) <= 8:
            errs.append(f"{c}: illustrative bundle has {len(own)} members")
        names = [m["item_name"] for m in own]
        errs += [f"{c}: duplicate member {i}" for i, k in Counter(names).items() if k > 1]
        qmap = {}
        for x in questions[c]:
            answers = [a.split(":")[0] for a in x["answers"].split(";")]
            if not KEY.match(x["key"]):
                errs.append(f"{c}: question key {x['key']!r}")
            if x["key"] in qmap:
                errs.append(f"{c}: duplicate question {x['key']}")
            if len(answers) < 2 or len(set(answers)) != len(answers) or "" in answers:
                errs.append(f"{c}: question {x['key']} answers {x['answers']!r}")
            for k, v in conds(x["shows_if"]):  # only earlier questions
                if k not in qmap or v not in qmap[k]:
                    errs.append(f"{c}: question {x['key']} shows_if {x['shows_if']!r}")
            qmap[x["key"]] = answers

        def cond_ok(s, where):
            for kv in conds(s):
                if len(kv) != 2 or kv[0] not in qmap or kv[1] not in qmap[kv[0]]:
                    errs.append(f"{c}: {where} condition {s!r} is not a question/answer of the bundle")
        for m in own:
            i = m["item_name"]
            if i not in ITEM_SET:
                errs.append(f"{c}: item {i} not in items.csv")
            if m["department"] not in DEPT_SHORT:
                errs.append(f"{c}: department {m['department']} not in departments.csv")
            elif not served(i, m["department"], hall):
                errs.append(f"{c}: {i} has no implementation for a {hall} hall (department {m['department']})")
            # The loader turns an empty promise into 0, which the definition refuses: always explicit here.
            if not days_ok(m["promised_workdays"]):
                errs.append(f"{c}: {i} promised_workdays {m['promised_workdays']!r}")
            cond_ok(m["when"], i)
            for d in [x for x in m["depends_on"].split(";") if x]:
                if d not in names or d == i:
                    errs.append(f"{c}: {i} depends on non-member {d}")
        for r in rules[c]:
            cond_ok(r["when"], "promise rule")
            if not days_ok(r["promised_workdays"]):
                errs.append(f"{c}: promise rule {r['promised_workdays']!r}")
        used = {k for m in own for k, _ in conds(m["when"])} | {k for x in questions[c] for k, _ in conds(x["shows_if"])} \
            | {k for r in rules[c] for k, _ in conds(r["when"])}
        errs += [f"{c}: question {k} leads nowhere" for k in qmap if k not in used]
        try:
            chain_through(own) if all(days_ok(m["promised_workdays"]) for m in own) else None
        except RecursionError:
            errs.append(f"{c}: dependency cycle")
            continue
        if not all(days_ok(m["promised_workdays"]) for m in own) or any(e.startswith(f"{c}:") for e in errs):
            continue
        combos = math.prod(len(a) for a in qmap.values())
        if combos > MAX_COMBINATIONS:
            errs.append(f"{c}: {combos} answer combinations > {MAX_COMBINATIONS}")
            continue
        default = Fraction(b["promised_workdays"]) if b["promised_workdays"] else max(longest_chain(own), Fraction(1))
        for answers in answer_ways(questions[c]):
            chosen = [m for m in own if all(answers.get(k) == v for k, v in conds(m["when"]))]
            if not chosen:
                errs.append(f"{c}: answers {answers} leave no member")
                continue
            promise = next((Fraction(r["promised_workdays"]) for r in rules[c]
                            if all(answers.get(k) == v for k, v in conds(r["when"]))), default)
            if longest_chain(chosen) > promise:
                errs.append(f"{c}: answers {answers}: chain {num(longest_chain(chosen))} > promise {num(promise)}")
    for f in fs:
        c = f["bundle_code"]
        if not KEY.match(f["field"]) or f.get("kind", "") not in KINDS:
            errs.append(f"{c}: field {f['field']} kind {f.get('kind')!r}")
        for p in [x for x in f["maps_to"].split(";") if x]:
            item = p.rsplit(":", 1)[0]
            if ":" not in p or item not in {m["item_name"] for m in members[c]}:
                errs.append(f"{c}: field {f['field']} maps to non-member {p}")
    # material identities
    seen = {}
    for r in ids:
        for n in r["names"].split(";"):
            if n not in MATERIAL_NAMES:
                errs.append(f"identity {r['identity']}: material {n} not in materials.csv")
            if n in seen:
                errs.append(f"material {n} in identities {seen[n]} and {r['identity']}")
            seen[n] = r["identity"]
    # 企业开办: de-duplicated required applicant-supplied materials <= 6
    kb = {m["item_name"] for m in members.get("LY-QYKB", [])}
    if kb != set(QYKB):
        errs.append(f"LY-QYKB members {sorted(kb)} != {QYKB}")
    req = {seen.get(r["name"], r["name"]) for r in MATERIALS
           if r["item_name"] in kb and r["required"] == "yes" and r["source"] == "applicant"}
    if len(req) > 6:
        errs.append(f"LY-QYKB needs {len(req)} applicant materials > 6: {sorted(req)}")
    for e in errs:
        print("ERROR", e)
    ill = Counter(b["illustrative"] for b in bs)
    print(f"check: {len(bs)} bundles (city {lv['city']}, township {lv['township']}; illustrative {ill['yes']}, "
          f"sourced {ill['no']}), {len(ms)} members, {len(qs)} questions, {len(fs)} fields, {len(ps)} promise rules, "
          f"{len(ids)} identities; 企业开办 applicant materials {len(req)}: {'、'.join(sorted(req))}; {len(errs)} errors")
    return not errs


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        sys.exit(0 if check() else 1)
    generate()
