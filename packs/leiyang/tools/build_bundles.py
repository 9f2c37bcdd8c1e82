#!/usr/bin/env python3
"""Deterministic generator for the Leiyang 一件事一次办 bundles (docs/pack-format.md, "Bundles").

Writes packs/leiyang/{bundles,bundle_members,bundle_questions,bundle_fields,material_identities}.csv
from items.csv / implementations.csv / materials.csv of the pack and the shared research file
../shared/data/leiyang/bundles.csv (relative to the repo root).

    python3 packs/leiyang/tools/build_bundles.py          # (re)write the five CSVs
    python3 packs/leiyang/tools/build_bundles.py --check  # verify them, exit 1 on failure
"""
import csv
import io
import re
import sys
from collections import Counter, defaultdict
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

CITY_IMPL = {}     # item -> (department, promised days) at city level
ALL_IMPL = defaultdict(set)
for r in IMPLS:
    ALL_IMPL[r["item_name"]].add(r["department"])
    if r["region_code"] == "430481000000" and r["item_name"] not in CITY_IMPL:
        CITY_IMPL[r["item_name"]] = (r["department"], r["promised_limit_workdays"])
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
    "43TC2000100Y": ["农村村民宅基地审批", "乡村建设规划许可证核发", "宅基地使用权及房屋所有权首次登记"],
    "43TCN0001": ["公司变更登记", "食品经营许可证变更", "个体工商户变更登记"],
    "43TCN0002": ["企业设立登记（公司设立登记）", "道路货物运输经营许可", "营运车辆道路运输证配发"],
    "43TCN0005": ["纳税信用修复", "统计严重失信企业名单信用修复"],
    "43TCP0010": ["企业投资项目备案", "企业投资项目核准", "固定资产投资项目节能审查", "建设项目用地预审与选址意见书"],
    "43TCP0011": ["建设工程规划许可证核发", "建筑工程施工许可证核发", "特殊建设工程消防设计审查", "结合民用建筑修建防空地下室审批（施工图阶段）"],
    "43TCP0014": ["就业登记", "企业员工社会保险参保登记", "职工基本医疗保险参保登记", "住房公积金个人账户设立"],
    "43TCP0015": ["建设项目竣工联合验收", "特殊建设工程消防验收", "建设工程竣工验收备案", "重点建设项目档案验收"],
    "43TCP0020": ["大型群众性活动安全许可（1000-5000人）", "经营高危险性体育项目（游泳）许可"],
    "43TCP0021": ["不动产转移登记（存量房买卖）", "契税申报"],
}

DEPENDS = {  # (bundle code) -> {member: [must finish first]}
    "43PCN0009": {"出生登记（新生儿入户）": ["出生医学证明首次签发"],
                  "社会保障卡申领": ["出生登记（新生儿入户）"],
                  "城乡居民基本医疗保险参保登记": ["出生登记（新生儿入户）"],
                  "生育医疗待遇支付": ["城乡居民基本医疗保险参保登记"]},
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
}


# ---------------------------------------------------------------- helpers
def mem(item, days=None, depends=(), when="", dept=None):
    d, p = CITY_IMPL.get(item, ("", ""))
    return {"item_name": item, "department": dept or d,
            "promised_workdays": num(days) if days not in (None, "") else num(p),
            "depends_on": ";".join(depends), "when": when}


def bundle(code, name, audience, theme, lead, days, source, illustrative, members,
           hall="city", steps="", mats="", questions=(), fields=()):
    return {"code": code, "name": name, "audience": audience, "theme": theme, "hall_level": hall,
            "lead_department": lead, "promised_workdays": num(days), "steps_limit": steps,
            "materials_limit": mats, "source": source, "illustrative": illustrative,
            "members": members, "questions": list(questions), "fields": list(fields)}


def q(key, question, answers="yes;no", shows_if="", help_=""):
    return {"key": key, "question": question, "answers": answers, "shows_if": shows_if, "help": help_}


def fld(field, label, required, maps):
    return {"field": field, "label": label, "required": required, "maps_to": ";".join(maps)}


def max_days(items):
    vals = [float(CITY_IMPL[i][1]) for i in items if CITY_IMPL.get(i, ("", ""))[1] not in ("",)]
    return max(vals) if vals else ""


QYKB = ["企业设立登记（公司设立登记）", "公章刻制备案（印章刻制）", "新办纳税人发票领用（含税务UKey发放）",
        "企业员工社会保险参保登记", "企业员工基本医疗保险参保登记", "住房公积金单位缴存登记", "企业银行账户开立（基本存款账户）"]


def build_qykb(src_row):
    reg = QYKB[0]
    when = {QYKB[1]: "need_seal=yes", QYKB[2]: "need_invoice=yes", QYKB[3]: "has_employees=yes",
            QYKB[4]: "has_employees=yes", QYKB[5]: "has_employees=yes"}
    members = [mem(reg, 0.5)] + [mem(i, 0.5, [reg], when.get(i, "")) for i in QYKB[1:]]
    S, T, E, M, G, B = QYKB[1:]
    fields = [
        fld("company_name", "企业名称", "yes", [f"{reg}:company_name", f"{S}:company_name", f"{T}:taxpayer_name",
                                             f"{E}:unit_name", f"{M}:unit_name", f"{G}:unit_name", f"{B}:account_name"]),
        fld("legal_representative", "法定代表人姓名", "yes", [f"{reg}:legal_representative", f"{S}:legal_representative",
                                                        f"{T}:legal_representative", f"{B}:legal_representative"]),
        fld("legal_rep_id_number", "法定代表人身份证件号码", "yes", [f"{reg}:legal_rep_id_number", f"{S}:legal_rep_id_number",
                                                          f"{B}:legal_rep_id_number"]),
        fld("address", "住所（经营场所）", "yes", [f"{reg}:address", f"{T}:business_address", f"{E}:unit_address",
                                          f"{M}:unit_address", f"{G}:unit_address", f"{B}:address"]),
        fld("phone", "联系电话", "yes", [f"{reg}:phone", f"{S}:phone", f"{T}:phone", f"{E}:phone", f"{M}:phone",
                                      f"{G}:phone", f"{B}:phone"]),
        fld("registered_capital", "注册资本（万元）", "yes", [f"{reg}:registered_capital", f"{B}:registered_capital"]),
        fld("business_scope", "经营范围", "yes", [f"{reg}:business_scope", f"{T}:business_scope"]),
        fld("agent_name", "经办人姓名", "no", [f"{S}:agent_name", f"{T}:agent_name", f"{G}:agent_name", f"{B}:agent_name"]),
        fld("employee_count", "拟招用员工人数", "no", [f"{E}:employee_count", f"{M}:employee_count", f"{G}:employee_count"]),
        fld("seal_types", "拟刻制印章种类", "no", [f"{S}:seal_types"]),
        fld("invoice_types", "申领发票种类及数量", "no", [f"{T}:invoice_types"]),
    ]
    questions = [
        q("need_seal", "是否需要刻制印章", help_="企业开办免费刻制公章等印章；不刻制的可稍后单独办理"),
        q("need_invoice", "是否申领发票", help_="申领的同时发放税务UKey"),
        q("has_employees", "是否招用员工", help_="招用员工的同步办理社保、医保参保登记和住房公积金单位缴存登记"),
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
        src = f"{SHARED_CITE}（{r['name']}） | {r['source']}"
        if not members and code in ILLUSTRATIVE_MEMBERS:
            members = [mem(i) for i in ILLUSTRATIVE_MEMBERS[code]]
            illus = "yes"
            src += " | 主题真实；成员事项未从耒阳实施清单提取，本包按主题示意选取，待核对"
        if missing:
            src += " | 成员事项未入库：" + "；".join(missing)
        if not r["leiyang_promised_workdays"]:
            src += " | 耒阳承诺时限未核实"
        if lead not in DEPT_SHORT:
            lead = lead_default or (members[0]["department"] if members else "市政务服务中心")
        deps = DEPENDS.get(code, {})
        for m in members:
            m["depends_on"] = ";".join(d for d in deps.get(m["item_name"], []) if d in seen or illus == "yes")
        b = bundle(code, r["name"], aud, theme, lead, r["leiyang_promised_workdays"], src, illus, members)
        special(b)
        out.append(b)
    return out


def special(b):
    names = {m["item_name"]: m for m in b["members"]}
    if b["code"] == "43TCN0003":            # 开办餐饮店
        names["食品小经营许可证核发（小餐饮）"]["when"] = "area_over_50=no"
        names["食品经营许可证核发（新办）"]["when"] = "area_over_50=yes"
        names["户外招牌设施规范管理（设置备案）"]["when"] = "has_signboard=yes"
        b["members"].append(mem("烟草专卖零售许可证核发", when="sells_tobacco=yes"))
        b["questions"] = [
            q("area_over_50", "经营面积是否超过50平方米",
              help_="50平方米以下的小餐饮办理食品小经营许可证，超过的办理食品经营许可证"),
            q("sells_alcohol", "是否销售酒类",
              help_="销售酒类的在食品（小）经营许可的经营项目中载明；本包暂无单独的酒类经营事项"),
            q("sells_tobacco", "是否销售卷烟", help_="销售卷烟须办理烟草专卖零售许可证（本包示意加入）"),
            q("has_signboard", "是否设置户外招牌"),
        ]
        L, S, F = "食品经营许可证核发（新办）", "食品小经营许可证核发（小餐饮）", "公众聚集场所投入使用、营业前消防安全检查"
        b["fields"] = [
            fld("shop_name", "店铺名称（营业执照名称）", "yes", ["企业营业执照信息核验:company_name", f"{L}:operator_name", f"{S}:operator_name", f"{F}:unit_name"]),
            fld("address", "经营场所地址", "yes", [f"{L}:business_address", f"{S}:business_address", f"{F}:address", "户外招牌设施规范管理（设置备案）:address"]),
            fld("area", "经营面积（平方米）", "yes", [f"{L}:area", f"{S}:area", f"{F}:area"]),
            fld("phone", "联系电话", "yes", [f"{L}:phone", f"{S}:phone", f"{F}:phone"]),
            fld("business_items", "经营项目（含是否销售酒类）", "yes", [f"{L}:business_items", f"{S}:business_items"]),
        ]
        b["source"] += " | 烟草专卖零售许可证核发为本包示意加入"
    elif b["code"] == "43TCN0004":          # 水电气网联合报装
        keys = {"供排水报装": "need_water", "供电报装（低压/高压）": "need_power", "燃气报装": "need_gas",
                "通信报装（光纤到户及通信基础设施）": "need_telecom", "广播电视报装（有线网络接入）": "need_tv",
                "水电气网接入外线工程联合审批": "needs_external_works"}
        labels = {"need_water": "是否需要用水（供排水）报装", "need_power": "是否需要用电报装",
                  "need_gas": "是否需要用气报装", "need_telecom": "是否需要通信（宽带）报装",
                  "need_tv": "是否需要有线电视报装", "needs_external_works": "是否涉及外线施工（占道、挖掘等）"}
        for i, k in keys.items():
            names[i]["when"] = f"{k}=yes"
        b["questions"] = [q(k, labels[k], help_=("外线工程并联审批，审批时间不超过5个工作日，小型工程1个工作日（措施18）"
                                                if k == "needs_external_works" else "")) for k in labels]
        b["fields"] = [
            fld("applicant_name", "报装单位（个人）名称", "yes", [f"{i}:applicant_name" for i in keys]),
            fld("project_address", "用水用电用气地址", "yes", [f"{i}:address" for i in keys]),
            fld("phone", "联系电话", "yes", [f"{i}:phone" for i in keys]),
            fld("power_capacity", "申请用电容量（千伏安）", "no", ["供电报装（低压/高压）:capacity"]),
        ]
        b["lead_department"] = "市政务服务中心"
        b["steps_limit"], b["materials_limit"] = "3", "2"
        b["source"] += (f" | {PLAN}（措施17：政务服务中心设报装综合窗口牵头；用水用气接入环节≤3、申请材料≤2件；"
                        "电力高压4个、低压3个环节） | 耒阳实施清单牵头单位为耒阳市住房和城乡建设局")
    elif b["code"] == "43TCN0008":          # 企业注销
        for i, w in [("公司注销登记", "entity_type=company"), ("个体工商户注销登记", "entity_type=individual_business"),
                     ("参保单位注销（注销社会保险登记）", "has_employees=yes"), ("住房公积金单位缴存登记注销", "has_employees=yes"),
                     ("企业银行账户撤销（预约销户）", "entity_type=company"), ("企业印章注销", "entity_type=company")]:
            if i in names:
                names[i]["when"] = w
        b["questions"] = [q("entity_type", "市场主体类型", "company;individual_business"),
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
    main = "水电气网接入外线工程联合审批"
    members = [mem(main), mem("占用、挖掘城市道路审批", depends=()),
               mem("在公路建筑控制区内埋设管线、电缆等设施许可", when="crosses_highway=yes"),
               mem("占用、挖掘公路或使公路改线审批", when="crosses_highway=yes"),
               mem("城市树木砍伐、迁移审批", when="moves_trees=yes"),
               mem("临时占用城市绿地审批", when="occupies_green=yes")]
    qs = [q("is_small_project", "是否为小型外线工程", help_="小型工程1个工作日内完成审批（措施18）"),
          q("crosses_highway", "是否占用、挖掘公路或在公路建筑控制区内埋设管线"),
          q("moves_trees", "是否需要砍伐、迁移城市树木"),
          q("occupies_green", "是否临时占用城市绿地")]
    fs = [fld("applicant_name", "建设单位名称", "yes", [f"{m['item_name']}:applicant_name" for m in members]),
          fld("route", "施工路段及范围", "yes", [f"{m['item_name']}:route" for m in members[:4]]),
          fld("work_period", "施工期限", "yes", [f"{m['item_name']}:work_period" for m in members]),
          fld("phone", "联系电话", "yes", [f"{m['item_name']}:phone" for m in members])]
    src = (f"{PLAN}（措施18：外线施工一张表单、并联审批、一网通办，审批不超过5个工作日，小型工程1个工作日）"
           " | 成员事项按耒阳事项库选取")
    return bundle("LY-WXSG", "水电气网外线施工联合审批一件事", "enterprise", "水电气网报装", "市政务服务中心", 5, src,
                  "no", members, steps="", mats="", questions=qs, fields=fs)


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
    ("农户惠农补贴一件事（乡镇）", "person", "农业农村", ["耕地地力保护补贴申报", "农机购置与应用补贴申领"]),
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
           f"用于补足 {PLAN} 措施11所列268项（市大厅251项、乡镇17项）的演示数量，非耒阳公布目录原文")
    return bundle(code, name, aud, theme, lead, max_days(items), src, "yes", members, hall=hall)


def auto_pool():
    pool = []
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


def build_all():
    bundles = build_researched()
    bundles.append(build_external_works())
    seen_sets = {frozenset(m["item_name"] for m in b["members"]) for b in bundles if b["members"]}
    names = {b["name"] for b in bundles}
    seq = 0
    city_needed = CITY_TOTAL - sum(1 for b in bundles if b["hall_level"] == "city")
    for name, aud, theme, items in CURATED_TOWNSHIP:
        seq += 1
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
        added += 1
        bundles.append(illus_bundle(f"LY-X-{seq:04d}", name, aud, theme, items, modelled))
    return bundles


B_HDR = ["code", "name", "audience", "theme", "hall_level", "lead_department", "promised_workdays", "steps_limit",
         "materials_limit", "source", "illustrative"]
M_HDR = ["bundle_code", "item_name", "department", "promised_workdays", "depends_on", "when", "position"]
Q_HDR = ["bundle_code", "key", "question", "answers", "shows_if", "help"]
F_HDR = ["bundle_code", "field", "label", "required", "maps_to"]


def generate():
    bundles = build_all()
    mrows, qrows, frows = [], [], []
    for b in bundles:
        for pos, m in enumerate(b["members"], 1):
            mrows.append(dict(m, bundle_code=b["code"], position=pos))
        qrows += [dict(x, bundle_code=b["code"]) for x in b["questions"]]
        frows += [dict(x, bundle_code=b["code"]) for x in b["fields"]]
    write("bundles.csv", B_HDR, bundles)
    write("bundle_members.csv", M_HDR, mrows)
    write("bundle_questions.csv", Q_HDR, qrows)
    write("bundle_fields.csv", F_HDR, frows)
    write("material_identities.csv", ["identity", "names"],
          [{"identity": i, "names": ";".join(n for n in ns if n in MATERIAL_NAMES)} for i, ns in IDENTITIES])
    print(f"wrote {len(bundles)} bundles, {len(mrows)} members, {len(qrows)} questions, {len(frows)} fields, "
          f"{len(IDENTITIES)} material identities")


def conds(s):
    return [tuple(p.split("=", 1)) for p in s.split(";") if p] if s else []


def check():
    errs = []
    for n in ["bundles.csv", "bundle_members.csv", "bundle_questions.csv", "bundle_fields.csv", "material_identities.csv"]:
        raw = (PACK / n).read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            errs.append(f"{n}: BOM")
        text = raw.decode("utf-8")
        # No absolute path of the machine that built the pack may leak into its data.
        if re.search(r"(^|[\s,])/(?:[a-z]+/){2,}", text):
            errs.append(f"{n}: absolute path")
    bs, ms = read(PACK / "bundles.csv"), read(PACK / "bundle_members.csv")
    qs, fs, ids = read(PACK / "bundle_questions.csv"), read(PACK / "bundle_fields.csv"), read(PACK / "material_identities.csv")
    codes = Counter(b["code"] for b in bs)
    errs += [f"duplicate bundle code {c}" for c, k in codes.items() if k > 1]
    errs += [f"duplicate bundle name {c}" for c, k in Counter(b["name"] for b in bs).items() if k > 1]
    lv = Counter(b["hall_level"] for b in bs)
    if lv["city"] != CITY_TOTAL or lv["township"] != TOWNSHIP_TOTAL or len(bs) != CITY_TOTAL + TOWNSHIP_TOTAL:
        errs.append(f"hall levels {dict(lv)} != city {CITY_TOTAL} + township {TOWNSHIP_TOTAL}")
    for b in bs:
        c = b["code"]
        if b["audience"] not in ("person", "enterprise"):
            errs.append(f"{c}: audience {b['audience']}")
        if b["theme"] not in THEMES:
            errs.append(f"{c}: theme {b['theme']} not in themes.csv")
        if b["lead_department"] not in DEPT_SHORT:
            errs.append(f"{c}: lead department {b['lead_department']} not in departments.csv")
        if b["illustrative"] not in ("yes", "no"):
            errs.append(f"{c}: illustrative {b['illustrative']}")
        if not b["source"]:
            errs.append(f"{c}: no source")
        if b["illustrative"] == "yes" and b["code"].startswith("LY-X-"):
            n = sum(1 for m in ms if m["bundle_code"] == c)
            if not 2 <= n <= 8:
                errs.append(f"{c}: illustrative bundle has {n} members")
    mem_of = defaultdict(set)
    for m in ms:
        c = m["bundle_code"]
        if c not in codes:
            errs.append(f"member of unknown bundle {c}")
        if m["item_name"] not in ITEM_SET:
            errs.append(f"{c}: item {m['item_name']} not in items.csv")
        if m["department"] not in DEPT_SHORT:
            errs.append(f"{c}: department {m['department']} not in departments.csv")
        if m["item_name"] in mem_of[c]:
            errs.append(f"{c}: duplicate member {m['item_name']}")
        mem_of[c].add(m["item_name"])
    qmap = defaultdict(dict)
    for x in qs:
        qmap[x["bundle_code"]][x["key"]] = x["answers"].split(";")

    def cond_ok(c, s, where):
        for kv in conds(s):
            if len(kv) != 2 or kv[0] not in qmap[c] or kv[1] not in qmap[c][kv[0]]:
                errs.append(f"{c}: {where} condition {s!r} is not a question/answer of the bundle")
    for m in ms:
        c = m["bundle_code"]
        cond_ok(c, m["when"], m["item_name"])
        for d in [x for x in m["depends_on"].split(";") if x]:
            if d not in mem_of[c]:
                errs.append(f"{c}: {m['item_name']} depends on non-member {d}")
    for x in qs:
        if x["bundle_code"] not in codes:
            errs.append(f"question of unknown bundle {x['bundle_code']}")
        cond_ok(x["bundle_code"], x["shows_if"], "question " + x["key"])
    # dependency cycles
    deps = defaultdict(lambda: defaultdict(list))
    for m in ms:
        deps[m["bundle_code"]][m["item_name"]] = [x for x in m["depends_on"].split(";") if x]
    for c, g in deps.items():
        state = {}

        def dfs(n):
            state[n] = 1
            for d in g.get(n, []):
                if state.get(d) == 1 or (d not in state and dfs(d)):
                    return True
            state[n] = 2
            return False
        if any(n not in state and dfs(n) for n in list(g)):
            errs.append(f"{c}: dependency cycle")
    for f in fs:
        c = f["bundle_code"]
        for p in [x for x in f["maps_to"].split(";") if x]:
            item = p.rsplit(":", 1)[0]
            if ":" not in p or item not in mem_of[c]:
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
    kb = mem_of.get("LY-QYKB", set())
    if kb != set(QYKB):
        errs.append(f"LY-QYKB members {sorted(kb)} != {QYKB}")
    req = {seen.get(r["name"], r["name"]) for r in MATERIALS
           if r["item_name"] in kb and r["required"] == "yes" and r["source"] == "applicant"}
    if len(req) > 6:
        errs.append(f"LY-QYKB needs {len(req)} applicant materials > 6: {sorted(req)}")
    for e in errs:
        print("ERROR", e)
    print(f"check: {len(bs)} bundles (city {lv['city']}, township {lv['township']}), {len(ms)} members, "
          f"{len(qs)} questions, {len(fs)} fields, {len(ids)} identities; 企业开办 applicant materials {len(req)}: "
          f"{'、'.join(sorted(req))}; {len(errs)} errors")
    return not errs


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        sys.exit(0 if check() else 1)
    generate()
