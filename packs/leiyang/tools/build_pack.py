#!/usr/bin/env python3
"""Build the default Leiyang (耒阳市) data pack.

Deterministic: run from anywhere; reads the shared reference data at
<repo root>/../shared/data/leiyang and the hand-written tables next to this
script, writes the CSVs into packs/leiyang/ (synonyms.csv is NOT touched).

    python packs/leiyang/tools/build_pack.py
"""
import csv
import hashlib
import json
import re
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
PACK = TOOLS.parent
REPO = PACK.parent.parent
SHARED = REPO / ".." / "shared" / "data" / "leiyang"

COUNTY = "430481000000"
CENTER = "耒阳市政务服务中心"
CENTER_ADDR = "耒阳市西湖南路566号"
HOURS = "工作日 上午8:30-12:00 下午14:30-17:30"
COMMIT_BATCH, COMMIT_DATE = "耒审改〔2021〕1号", "2021-08-31"
DEEMED_BATCH, DEEMED_DATE = "耒阳市行政审批超时默认事项清单（第一批）", "2021-08-31"
DELEG_BATCH, DELEG_DATE = "耒政发〔2021〕8号", "2021-06-30"


def h(*parts):
    """Stable small hash for deterministic 'random' choices."""
    return int(hashlib.md5("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:8], 16)


def pick(seq, *key):
    return seq[h(*key) % len(seq)]


def read_csv(p):
    with open(p, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(name, header, rows):
    with open(PACK / name, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(k, "") if isinstance(r, dict) else r[i] for i, k in enumerate(header)])


def read_table(fname):
    rows = []
    for line in (TOOLS / fname).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("|"))
    return rows


# --------------------------------------------------------------------------- USCC
USCC_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [pow(3, i, 31) for i in range(17)]
ORG_W = [3, 7, 9, 10, 5, 8, 4, 2]


def org_value(ch):
    return int(ch) if ch.isdigit() else ord(ch) - 55  # A=10 … Z=35 (GB 11714)


def org_check(body8):
    c = 11 - sum(org_value(x) * w for x, w in zip(body8, ORG_W)) % 11
    return "X" if c == 10 else ("0" if c == 11 else str(c))


def uscc_check(first17):
    s = sum(USCC_ALPHA.index(x) * w for x, w in zip(first17, USCC_W))
    return USCC_ALPHA[(31 - s % 31) % 31]


def make_uscc(dept_code, kind_code, area6, body8):
    body9 = body8 + org_check(body8)
    first17 = dept_code + kind_code + area6 + body9
    return first17 + uscc_check(first17)


def uscc_ok(c):
    if len(c) != 18 or any(x not in USCC_ALPHA for x in c):
        return False
    return uscc_check(c[:17]) == c[17] and org_check(c[8:16]) == c[16]


# --------------------------------------------------------------------------- regions
regions = read_csv(SHARED / "regions.csv")
region_codes = {r["code"] for r in regions}
towns = [r for r in regions if r["level"] in ("street", "town", "township")]
villages = [r for r in regions if r["level"] in ("community", "village")]
town_by_code = {t["code"]: t for t in towns}
rural_towns = {v["parent_code"] for v in villages if v["level"] == "village"}
write_csv("regions.csv", ["code", "name", "level", "parent_code"], regions)

# --------------------------------------------------------------------------- departments
shared_depts = read_csv(SHARED / "departments.csv")
USCC_KIND = {  # (登记管理部门码, 机构类别码)
    "党委部门": ("1", "1"), "政府工作部门": ("1", "1"), "垂直管理": ("1", "1"),
    "公用企业": ("9", "1"), "乡镇人民政府": ("1", "1"), "街道办事处": ("1", "1"),
}
USCC_OVERRIDE = {  # 事业单位 (12) / 群团 (13)
    "市政务服务中心": ("1", "2"), "市档案馆": ("1", "2"), "市不动产登记中心": ("1", "2"),
    "公积金耒阳管理部": ("1", "2"), "市气象局": ("1", "2"), "市残联": ("1", "3"),
    "市人大办": ("1", "1"), "市政协办": ("1", "1"), "市审改办": ("1", "1"),
    "市经济开发区": ("1", "1"), "市人防办": ("1", "1"),
}


def phone_for(*key):
    return "0734-43%05d" % (h("phone", *key) % 100000)


departments = []
for i, d in enumerate(shared_depts, 1):
    rc, kc = USCC_OVERRIDE.get(d["short_name"]) or USCC_KIND.get(d["kind"], ("1", "1"))
    departments.append({
        "short_name": d["short_name"], "name": d["name"], "kind": d["kind"],
        "uscc": make_uscc(rc, kc, "430481", "MB489%03d" % i), "uscc_illustrative": "yes",
        "region_code": COUNTY,
        "phone": "0734-12345" if d["short_name"] == "市政务服务中心" else "",
        "address": CENTER_ADDR if d["short_name"] == "市政务服务中心" else "",
        "confirmed": d["confirmed"], "source": d["source"],
    })
NBS_SRC = "国家统计局《2023年统计用区划代码和城乡划分代码》（经 modood/Administrative-divisions-of-China 与 china-division@2.7.0，见 shared/data/leiyang/README.md §1）"
town_dept = {}
for t in towns:
    seg = t["code"][6:9]
    if t["level"] == "street":
        kind, full = "街道办事处", "耒阳市%s办事处" % t["name"]
    else:
        kind, full = "乡镇人民政府", "耒阳市%s人民政府" % t["name"]
    departments.append({
        "short_name": t["name"], "name": full, "kind": kind,
        "uscc": make_uscc("1", "1", "430481", "MB481" + seg), "uscc_illustrative": "yes",
        "region_code": t["code"], "phone": phone_for(t["code"]), "address": "",
        "confirmed": "partial", "source": NBS_SRC + "（单位名称据区划名称按通行命名拼写）",
    })
    town_dept[t["code"]] = t["name"]


def village_fullname(name):
    if name.endswith("居委会"):
        return name[:-3] + "居民委员会"
    if name.endswith("村委会"):
        return name[:-3] + "村民委员会"
    return name


def village_station(name):
    if name.endswith("社区居委会"):
        return name[:-3] + "便民服务站"
    if name.endswith("居委会"):
        return name[:-3] + "社区便民服务站"
    if name.endswith("村委会"):
        return name[:-2] + "便民服务站"
    return name + "便民服务站"


village_dept = {}
for v in villages:
    tname = town_by_code[v["parent_code"]]["name"]
    short = "%s·%s" % (tname, v["name"])
    kc = "5" if v["level"] == "community" else "4"  # 民政赋码：54 村民委员会 / 55 居民委员会（未核实）
    departments.append({
        "short_name": short, "name": "耒阳市%s%s" % (tname, village_fullname(v["name"])),
        "kind": "村(居)民委员会",
        "uscc": make_uscc("5", kc, "430481", "ME" + v["code"][6:12]), "uscc_illustrative": "yes",
        "region_code": v["code"], "phone": "", "address": "",
        "confirmed": "partial", "source": NBS_SRC + "（单位名称据区划名称按通行命名拼写）",
    })
    village_dept[v["code"]] = short
write_csv("departments.csv", ["short_name", "name", "kind", "uscc", "uscc_illustrative", "region_code",
                              "phone", "address", "confirmed", "source"], departments)
dept_names = {d["short_name"] for d in departments}

# --------------------------------------------------------------------------- themes
THEMES_PERSON = ["出生", "上学", "就业", "个人创业", "婚姻", "生育", "收养", "住房", "社会保险", "医疗", "养老",
                 "退休", "残疾", "社会救助", "身后事", "户籍", "证件办理", "出境入境", "出行", "交通", "农业农村",
                 "农村建房", "退役军人", "法律服务", "个人纳税"]
THEMES_ENT = ["企业开办", "企业变更", "经营许可", "开办餐饮", "工程建设", "投资项目", "企业纳税", "员工用工",
              "企业注销", "企业不动产", "水电气网报装", "运输经营", "文旅经营", "农业经营", "环境保护", "安全生产",
              "医疗机构经营", "办学", "社会组织", "信用修复"]
themes = [{"name": n, "audience": "person", "kind": "life_event"} for n in THEMES_PERSON] + \
         [{"name": n, "audience": "enterprise", "kind": "business_event"} for n in THEMES_ENT]
write_csv("themes.csv", ["name", "audience", "kind"], themes)
theme_names = {t["name"] for t in themes}

# --------------------------------------------------------------------------- items
TYPE_CODE = {"行政许可": "01", "行政处罚": "02", "行政强制": "03", "行政征收": "04", "行政给付": "05",
             "行政检查": "06", "行政确认": "07", "行政奖励": "08", "行政裁决": "09", "其他行政权力": "10",
             "公共服务": "20"}
AUD_CODE = {"自然人": "1", "法人": "2", "both": "1;2"}
AUD_OVERRIDE = {
    "社会团体成立登记": "4", "民办非企业单位成立登记": "4", "慈善组织认定": "4", "宗教活动场所登记": "6",
    "非营利组织免税资格认定（财税部门联合）": "3;4", "养老机构设立备案": "2;3;4",
    "幼儿园（民办）设立审批": "1;2;4", "民办义务教育学校设立审批": "2;4", "民办职业培训学校设立审批": "2;4",
    "医疗机构执业登记（县级）": "2;3;4", "公共场所卫生许可": "1;2", "政府采购投诉处理": "2;3;4;6",
    "重点建设项目档案验收": "2;3;5", "设置农村公益性墓地审批": "5;6", "住房公积金单位缴存登记": "2;3;4;6",
    "企业员工社会保险参保登记": "2;3;4;6", "职工基本医疗保险参保登记": "2;3;4;6",
    "气象工作突出贡献奖励": "1;2;3;5", "民族团结进步表彰": "1;2;3;4;5;6",
}
# legal basis: checked/corrected versions of the shared citations (article numbers kept only where sure)
LEGAL_FIX = {
    "新办纳税人发票领用（含税务UKey发放）": "《中华人民共和国税收征收管理法》；《中华人民共和国发票管理办法》",
    "代开增值税普通发票": "《中华人民共和国发票管理办法》",
    "开具无欠税证明": "《国家税务总局关于简化无欠税证明办理有关事项的公告》",
    "开具个人所得税纳税记录": "《国家税务总局关于将个人所得税〈税收完税证明〉（文书式）调整为〈纳税记录〉有关事项的公告》",
    "纳税信用修复": "《纳税信用管理办法》等纳税信用管理规定",
    "增值税税控系统专用设备初始发行": "《中华人民共和国发票管理办法》",
    "就业困难人员认定": "《中华人民共和国就业促进法》；《就业服务与就业管理规定》",
    "创业担保贷款申请": "《中华人民共和国就业促进法》；创业担保贷款贴息政策（财金〔2020〕21号）",
    "基本养老保险视同缴费年限认定": "《国务院关于建立统一的企业职工基本养老保险制度的决定》（国发〔1997〕26号）",
    "高校毕业生社保补贴申领": "《中华人民共和国就业促进法》；《就业补助资金管理办法》",
    "基本医疗保险减少登记（终止参保）": "《中华人民共和国社会保险法》",
    "参保人员个人账户一次性支取": "《中华人民共和国社会保险法》",
    "门诊慢特病病种待遇认定": "《中华人民共和国社会保险法》；湖南省基本医疗保险门诊慢特病待遇政策",
    "住院费用手工（零星）报销": "《中华人民共和国社会保险法》",
    "出具死亡证明（非正常死亡）": "《关于进一步规范人口死亡医学证明和信息登记管理工作的通知》（国卫规划发〔2013〕57号）",
    "死亡医学证明（推断）书办理": "《关于进一步规范人口死亡医学证明和信息登记管理工作的通知》（国卫规划发〔2013〕57号）",
    "驾驶证注销": "《中华人民共和国道路交通安全法》；《机动车驾驶证申领和使用规定》",
    "内地居民结婚登记": "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》（符合条件的当场予以登记）",
    "高龄津贴发放": "《中华人民共和国老年人权益保障法》；湖南省高龄津贴制度相关规定",
    "低收入人口认定": "《社会救助暂行办法》；低收入人口动态监测和分层分类社会救助相关规定",
    "养老机构设立备案": "《中华人民共和国老年人权益保障法》；《养老机构管理办法》",
    "不动产权证书（住房情况）查询": "《不动产登记暂行条例》；《不动产登记资料查询暂行办法》",
    "户外招牌设施规范管理（设置备案）": "《城市市容和环境卫生管理条例》",
    "计划生育家庭特别扶助金": "《中华人民共和国人口与计划生育法》；《湖南省人口与计划生育条例》",
    "农村部分计划生育家庭奖励扶助金": "《中华人民共和国人口与计划生育法》；《湖南省人口与计划生育条例》",
    "生育登记": "《中华人民共和国人口与计划生育法》；《湖南省人口与计划生育条例》",
    "科学育儿指导服务登记": "《国务院办公厅关于促进3岁以下婴幼儿照护服务发展的指导意见》（国办发〔2019〕15号）",
    "饮用水供水单位卫生许可": "《中华人民共和国传染病防治法》；《生活饮用水卫生监督管理办法》",
    "农作物种子生产经营许可": "《中华人民共和国种子法》",
    "水产苗种生产许可": "《中华人民共和国渔业法》",
    "道路货物运输经营许可": "《中华人民共和国道路运输条例》",
    "住房保障家庭租赁补贴发放": "《公共租赁住房管理办法》（住房和城乡建设部令第11号）",
    "遗嘱公证信息核查": "《中华人民共和国公证法》",
    "统计严重失信企业名单信用修复": "《中华人民共和国统计法》",
    "已故存款人小额存款提取（继承人提取）": "《中国人民银行 中国银行保险监督管理委员会关于简化已故存款人小额存款提取有关要求的通知》",
    "一次性创业补贴申领": "《中华人民共和国就业促进法》；《就业补助资金管理办法》",
    "企业印章注销": "《国务院关于第三批取消中央指定地方实施行政许可事项的决定》（国发〔2017〕7号，公章刻制改为备案管理）",
    "民族团结进步表彰": "国家及湖南省民族团结进步表彰有关规定",
    "公众聚集场所投入使用、营业前消防安全检查": "《中华人民共和国消防法》第十五条",
    "残疾人证挂失补办": "《中华人民共和国残疾人保障法》",
    "退役军人优待证申领": "《中华人民共和国退役军人保障法》",
    "亲属关系证明": "《中华人民共和国户口登记条例》（依据户籍档案记载出具）",
    "已故人员股权登记信息查询（继承人查询）": "《国务院关于进一步优化政务服务提升行政效能推动“高效办成一件事”的指导意见》（国发〔2024〕3号）",
    "企业营业执照信息核验": "《中华人民共和国市场主体登记管理条例》",
}
# deliberately left without legal basis (quality-check demo defects)
EMPTY_BASIS_DEFECT = ["犬类准养证核发", "临时便民服务摊点设置", "水电气网接入外线工程联合审批"]
XK_DEFAULT_NOTE = "《中华人民共和国行政许可法》第四十二条：20日（第八十二条：以工作日计算）；单行法律法规另有规定的从其规定"
LIMIT_NOTE = {  # no working-day figure; statutory wording or pointer
    "食品经营许可证核发（新办）": "以《食品经营许可和备案管理办法》规定的期限为准（未核实）",
    "食品小经营许可证核发（小餐饮）": "以湖南省小餐饮管理规定的期限为准（未核实）",
    "食品经营许可证变更": "以《食品经营许可和备案管理办法》规定的期限为准（未核实）",
    "食品经营许可证延续": "以《食品经营许可和备案管理办法》规定的期限为准（未核实）",
    "食品小作坊登记证核发": "以湖南省小作坊管理规定的期限为准（未核实）",
    "建筑工程施工许可证核发": "法定7日（《中华人民共和国建筑法》第八条）",
    "普通护照签发": "法定15日（《中华人民共和国护照法》第六条）",
    "往来港澳通行证及签注签发": "以出入境管理规定的期限为准",
    "建设项目环境影响报告表审批": "法定30日（《中华人民共和国环境影响评价法》第二十二条）",
    "特殊建设工程消防设计审查": "以《建设工程消防设计审查验收管理暂行规定》规定的期限为准（未核实）",
    "特殊建设工程消防验收": "以《建设工程消防设计审查验收管理暂行规定》规定的期限为准（未核实）",
    "商品房预售许可": "以《城市商品房预售管理办法》规定的期限为准（未核实）",
    "取水许可": "以《取水许可和水资源费征收管理条例》规定的期限为准（未核实）",
    "排污许可证核发": "以《排污许可管理条例》规定的期限为准（未核实）",
    "教师资格认定": "以《〈教师资格条例〉实施办法》规定的期限为准（未核实）",
    "大型群众性活动安全许可（1000-5000人）": "以《大型群众性活动安全管理条例》规定的期限为准（未核实）",
    "机动车注册登记（新车上牌）": "以《机动车登记规定》规定的期限为准（未核实）",
    "特种设备作业人员资格认定": "以特种设备作业人员监督管理规定的期限为准（未核实）",
    "药品零售企业经营许可（药品经营许可证核发·零售）": "以药品经营许可管理规定的期限为准（未核实）",
    "农村村民宅基地审批": "以湖南省农村宅基地审批管理规定的期限为准（未核实）",
    "企业投资项目核准": "以《企业投资项目核准和备案管理条例》规定的期限为准（未核实）",
    "公路超限运输许可": "以《超限运输车辆行驶公路管理规定》规定的期限为准（未核实）",
    "烟草专卖零售许可证核发": "以《中华人民共和国烟草专卖法实施条例》规定的期限为准（未核实）",
    "林木采伐许可证核发": "以森林法及其实施条例规定的期限为准（未核实）",
    "工伤认定申请": "法定60日（《工伤保险条例》第二十条）",
    "劳动人事争议仲裁申请": "收到申请5日内决定是否受理，受理之日起45日内结束（《劳动争议调解仲裁法》第二十九条、第四十三条）",
    "住房公积金提取（正常退休）": "法定3日（《住房公积金管理条例》第二十五条）",
    "死亡或被宣告死亡提取住房公积金": "法定3日（《住房公积金管理条例》第二十五条）",
    "租房提取住房公积金": "法定3日（《住房公积金管理条例》第二十五条）",
    "购买自住住房提取住房公积金": "法定3日（《住房公积金管理条例》第二十五条）",
    "住房公积金个人住房贷款": "法定15日（《住房公积金管理条例》第二十六条）",
    "出生登记（新生儿入户）": "婴儿出生后一个月以内申报（《户口登记条例》第七条）",
    "死亡人员户口注销": "死亡后一个月以内申报（《户口登记条例》第八条）",
    "建设工程竣工验收备案": "建设单位自竣工验收合格之日起15日内报送备案（《建设工程质量管理条例》第四十九条）",
    "企业员工社会保险参保登记": "用人单位自用工之日起30日内申请（《社会保险法》第五十八条）",
    "住房公积金单位缴存登记": "单位自设立之日起30日内办理（《住房公积金管理条例》第十四条）",
}
LIMIT_WD = {  # statute states working days
    "公众聚集场所投入使用、营业前消防安全检查": ("10", "《中华人民共和国消防法》第十五条：不采用告知承诺方式的，自受理申请之日起10个工作日内对场所进行检查；采用告知承诺方式的，材料齐全、符合法定形式即予许可，事后核查"),
    "内地居民结婚登记": ("0", "符合条件的当场予以登记（《婚姻登记条例》）"),
}

shared_items = read_csv(SHARED / "items.csv")
shared_by_name = {r["name"]: r for r in shared_items}
info = {r[0]: r[1:] for r in read_table("items_shared.txt")}
assert set(info) == set(shared_by_name), set(info) ^ set(shared_by_name)

COND_DEFAULT = {
    "01": "申请人符合法律法规规定的许可条件，申请材料齐全、符合法定形式。",
    "04": "纳税人（缴费人）发生应税（应缴费）行为，依法申报缴纳。",
    "05": "申请人符合给付对象条件，按规定提出申请，所提交材料真实、完整。",
    "07": "申请人属于本机关登记（确认）范围，提交的材料真实、齐全、符合法定形式。",
    "08": "符合表彰奖励条件，经所在单位或有关部门推荐。",
    "09": "当事人之间存在属于本机关裁决范围的争议，有明确的请求、事实和理由。",
    "10": "申请人依法需要办理本事项，提交的材料齐全、符合规定形式。",
    "20": "服务对象符合本事项的办理范围，提交的信息真实、准确、完整。",
}

items = []        # rows for items.csv
item_meta = {}    # name -> dict(type, dept, materials, promised, level, delegated_from, source)


def add_item(name, tcode, aud, basis, lw, ln, themes_, kws, result, rtype, cond, source, illustrative):
    for t in themes_.split(";"):
        assert t in theme_names, (name, t)
    if tcode == "01" and not lw and not ln and basis:
        lw, ln = "20", XK_DEFAULT_NOTE
    items.append({
        "basic_code": "", "name": name, "item_type": tcode, "audience": aud, "themes": themes_,
        "legal_basis": basis, "legal_limit_workdays": lw, "legal_limit_note": ln,
        "conditions": cond or COND_DEFAULT[tcode], "result_name": result, "result_type": rtype,
        "is_intermediary": "no", "keywords": kws, "source": source, "illustrative": illustrative,
    })


for r in shared_items:
    name = r["name"]
    themes_, kws, result, rtype, cond = info[name]
    tcode = TYPE_CODE[r["item_type"]]
    basis = "" if name in EMPTY_BASIS_DEFECT else LEGAL_FIX.get(name, r["legal_basis"])
    lw = r["legal_time_limit_workdays"]
    ln = ""
    if name in LIMIT_WD:
        lw, ln = LIMIT_WD[name]
    elif lw:
        m = re.search(r"（([^（）]*(?:工作日|当场)[^（）]*)）", r["legal_basis"])
        ln = m.group(1) if m else ""
    if name in LIMIT_NOTE:
        lw, ln = "", LIMIT_NOTE[name]
    add_item(name, tcode, AUD_OVERRIDE.get(name, AUD_CODE[r["audience"]]), basis, lw, ln, themes_, kws,
             result, rtype, cond, r["source"], "no" if r["source"] else "yes")
    item_meta[name] = {"type": tcode, "dept": r["department_short_name"],
                       "materials": [m.strip() for m in r["materials"].split(";") if m.strip()],
                       "promised": r["typical_promised_workdays"], "source": r["source"], "scope": "county"}

ADDED_DEPT = {
    "个体工商户变更登记": "市市场监督管理局", "食品经营许可证变更": "市市场监督管理局", "食品经营许可证延续": "市市场监督管理局",
    "食品经营许可证注销": "市市场监督管理局", "食品小作坊登记证核发": "市市场监督管理局", "食品摊贩备案卡办理": "市市场监督管理局",
    "特种设备使用登记": "市市场监督管理局", "电动自行车登记上牌": "市公安局", "机动车驾驶证期满换证": "市公安局",
    "机动车检验合格标志核发": "市公安局", "第三类易制毒化学品购买备案": "市公安局",
    "城乡居民基本养老保险待遇申领": "市人社局", "城乡居民基本养老保险关系注销": "市人社局", "工伤保险待遇申领": "市人社局",
    "劳动保障监察投诉受理": "市人社局", "失业保险稳岗返还": "市人社局", "普通高中国家助学金申请": "市教育局",
    "生源地信用助学贷款申请": "市教育局", "中小学生转学": "市教育局", "诊所执业备案": "市卫健局", "乡村医生执业注册": "市卫健局",
    "母婴保健技术服务执业许可": "市卫健局", "放射诊疗许可": "市卫健局", "城市树木砍伐、迁移审批": "市城管局",
    "临时占用城市绿地审批": "市城管局", "户外广告设施设置审批": "市城管局",
    "城市生活垃圾经营性清扫、收集、运输服务许可": "市城管局", "商品房买卖合同网签备案": "市住建局", "房屋租赁登记备案": "市住建局",
    "建设项目竣工联合验收": "市住建局", "建筑起重机械使用登记": "市住建局", "预告登记": "市不动产登记中心",
    "宅基地使用权及房屋所有权首次登记": "市不动产登记中心", "契税申报": "市税务局", "个人所得税综合所得汇算清缴": "市税务局",
    "车辆购置税申报": "市税务局", "城乡居民基本养老保险费、医疗保险费缴纳": "市税务局",
    "购买自住住房提取住房公积金": "公积金耒阳管理部", "住房公积金缴存证明开具": "公积金耒阳管理部", "企业投资项目核准": "市发改局",
    "固定资产投资项目节能审查": "市发改局", "政府信息公开申请": "市政府办", "地名命名、更名审批": "市民政局",
    "农机购置与应用补贴申领": "市农业农村局", "兽药经营许可证核发（非生物制品类）": "市农业农村局",
    "渔业捕捞许可（内陆水域）": "市农业农村局", "森林防火期内野外用火审批": "市林业局",
    "道路旅客运输经营许可（县内班线）": "市交通运输局", "出租汽车经营许可": "市交通运输局", "机动车维修经营备案": "市交通运输局",
    "义务兵家庭优待金给付": "市退役军人事务局", "在乡复员军人定期生活补助": "市退役军人事务局", "残疾人证迁移": "市残联",
    "残疾人证注销": "市残联", "残疾类别、等级变更": "市残联", "基本殡葬服务费用减免": "市民政局",
}
for row in read_table("items_added.txt"):
    name, tcode, aud, basis, lw, ln, themes_, kws, result, rtype, cond, mats = row
    add_item(name, tcode, aud, basis, lw, ln, themes_, kws, result, rtype, cond, "", "yes")
    item_meta[name] = {"type": tcode, "dept": ADDED_DEPT[name], "materials": mats.split(";"), "promised": "",
                       "source": "", "scope": "county"}
for row in read_table("items_local.txt"):
    name, tcode, aud, basis, lw, ln, themes_, kws, result, rtype, cond, mats, level, dfrom = row
    add_item(name, tcode, aud, basis, lw, ln, themes_, kws, result, rtype, cond, "", "yes")
    item_meta[name] = {"type": tcode, "dept": "", "materials": mats.split(";"), "promised": "", "source": "",
                       "scope": level, "delegated_from": dfrom}
assert set(ADDED_DEPT) == {r[0] for r in read_table("items_added.txt")}

# Items added for the 一件事 bundles (tools/build_bundles.py): the split utility hook-ups of plan measure 17
# (供水 / 排水 / 低压 / 高压供电, with the plan's step and material limits) and members for the Hunan bundle
# themes whose items were missing from the catalogue. Written from knowledge, not from a Leiyang guide:
# illustrative=yes, and `source` says so. Several are not county-level powers in reality (外国人来华工作许可,
# 对外承包工程项目备案 …); the pack models them as received at the county hall.
BUNDLE_ITEM_SOURCE = "一件事成员示意新增（illustrative）：据通行做法编写，未核对耒阳实施清单"
POWER_BASIS = "《电力供应与使用条例》；《供电营业规则》"
BUNDLE_ITEMS = [
    # name, type, audience, legal basis, legal limit, limit note, themes, keywords, result, result type,
    # conditions, materials (;), department, promised workdays
    ("供水报装", "20", "1;2", "《城镇供水条例》；《湖南省工程建设领域市政公用服务报装接入办事指南》", "", "",
     "水电气网报装;工程建设", "用水报装;自来水报装;装水表;接自来水;供水开户", "供水接入", "其他",
     "用水地址权属清晰，位于城市公共供水管网覆盖范围内。", "用水报装申请表;用水地址权属证明", "市供水企业", "1"),
    ("排水接入", "20", "2", "《城镇排水与污水处理条例》", "", "",
     "水电气网报装;工程建设", "排水报装;污水接入;雨污水接驳;下水道接入;排水接驳", "排水接入", "其他",
     "排水户位于城镇排水管网覆盖范围内，雨污分流，排水设施符合接入要求。", "排水接入申请表;排水设施平面图", "市住建局", "1"),
    ("低压供电报装", "20", "1;2", POWER_BASIS, "", "",
     "水电气网报装;工程建设", "低压报装;低压用电;居民用电;小微企业用电;装电表;通电", "供电接入", "其他",
     "用电地址权属清晰，申请容量在低压接入范围内（容量标准以供电企业公布为准）。",
     "用电报装申请;用电地址物业权属证明（房屋产权证明或土地权属证明文件等）;用电人身份证明", "国网耒阳市供电公司", "1"),
    ("高压供电报装", "20", "2", POWER_BASIS, "", "",
     "水电气网报装;工程建设", "高压报装;高压用电;专用变压器;专变报装;工业用电", "供电接入", "其他",
     "申请容量超过低压接入范围，需要高压供电。",
     "用电报装申请;用电地址物业权属证明（房屋产权证明或土地权属证明文件等）;用电人身份证明;用电设备清单",
     "国网耒阳市供电公司", "2"),
    ("家电以旧换新补贴申领", "20", "1", "《国家发展改革委 财政部关于2025年加力扩围实施大规模设备更新和消费品以旧换新政策的通知》",
     "", "", "个人纳税", "以旧换新;家电补贴;家电国补;换新补贴", "补贴发放", "其他",
     "个人消费者在活动期内购买列入补贴范围的家电产品。", "个人消费补贴申请表;购物发票;本人银行卡", "市商务局", "5"),
    ("手机等数码产品购新补贴申领", "20", "1", "《国家发展改革委 财政部关于2025年加力扩围实施大规模设备更新和消费品以旧换新政策的通知》",
     "", "", "个人纳税", "手机补贴;数码补贴;平板补贴;手机国补", "补贴发放", "其他",
     "个人消费者在活动期内购买列入补贴范围的手机、平板、智能手表（手环）等数码产品。",
     "个人消费补贴申请表;购物发票;本人银行卡", "市商务局", "5"),
    ("进出境邮件通关咨询代办", "20", "1", "《中华人民共和国海关法》", "", "",
     "出境入境", "国际邮件;邮件通关;海外包裹;邮包清关;进境邮件", "代办回执", "其他",
     "个人进出境邮递物品以自用、合理数量为限，需要办理通关手续。", "代办委托书;邮件面单信息", "市商务局", "1"),
    ("离境退税商店备案", "10", "2", "《境外旅客购物离境退税管理办法（试行）》", "", "",
     "企业纳税;出境入境", "离境退税;退税商店;购物退税", "备案回执", "其他",
     "增值税一般纳税人，纳税信用和经营场所符合离境退税商店条件。", "离境退税商店备案表;营业执照", "市税务局", "1"),
    ("育儿补贴申领", "05", "1", "《育儿补贴制度实施方案》（中共中央办公厅、国务院办公厅，2025年）", "", "",
     "生育;出生", "育儿补贴;婴幼儿补贴;三岁以下补贴;生娃补贴", "补贴发放", "其他",
     "3周岁以下婴幼儿，由父母或其他监护人申领。", "育儿补贴申请表;监护人身份证件;本人银行卡", "市卫健局", "10"),
    ("家政服务人员信用信息查询", "20", "1", "《商务部关于建立家政服务业信用体系的指导意见》", "", "",
     "就业", "家政信用;保姆信用;家政服务员查询;家政信用查询", "信用信息查询结果", "其他",
     "家政服务员本人或经其授权的消费者查询家政服务员信用信息。", "信用信息查询申请表;查询授权书", "市商务局", "0"),
    ("企业专项信用报告出具", "20", "2", "《优化营商环境条例》；以专项信用报告替代有无违法违规记录证明的有关规定", "", "",
     "信用修复;企业变更", "专项信用报告;无违法违规证明;合规证明;上市合规", "专项信用报告", "其他",
     "企业因上市、融资、招投标等需要证明无违法违规记录。", "专项信用报告申请表;法定代表人身份证件", "市发改局", "1"),
    ("企业年度报告公示", "20", "2", "《企业信息公示暂行条例》", "", "",
     "企业变更;企业纳税", "企业年报;年报公示;多报合一;工商年报", "年度报告公示", "其他",
     "企业每年1月1日至6月30日报送上一年度年度报告并向社会公示。", "企业年度报告（网上填报）", "市市场监督管理局", "0"),
    ("统计调查对象年报数据联网直报", "20", "2", "《中华人民共和国统计法》", "", "",
     "企业纳税", "统计年报;联网直报;统计报表", "数据报送回执", "其他",
     "纳入统计调查的企业按规定时间报送统计资料。", "统计年报（联网直报在线填报）", "市统计局", "0"),
    ("技术合同认定登记", "20", "2", "《技术合同认定登记管理办法》", "", "",
     "投资项目", "技术合同登记;成果转化;技术转让合同;技术交易", "技术合同登记证明", "其他",
     "技术开发、转让、许可、咨询和服务合同订立后申请认定登记。", "技术合同认定登记申请表;技术合同文本", "市科工信局", "3"),
    ("外国人来华工作许可", "01", "2", "《外国人在中国就业管理规定》", "", "",
     "员工用工", "外国人工作许可;外籍员工;外国人就业;工作许可证", "外国人工作许可证", "证照",
     "用人单位依法聘用外国人，外国人符合来华工作条件。",
     "外国人来华工作许可申请表;劳动合同或聘用意向书;外国人护照;学历证书", "市科工信局", "5"),
    ("外国人居留许可签发（工作类）", "01", "1", "《中华人民共和国出境入境管理法》", "",
     "法定15日（《中华人民共和国出境入境管理法》第三十条，未核实）",
     "员工用工;出境入境", "外国人居留;居留许可;工作居留;外籍员工居留", "外国人居留许可", "证照",
     "持工作签证入境的外国人，自入境之日起30日内申请工作类居留证件。",
     "外国人居留证件申请表;外国人护照;近期免冠照片;外国人工作许可证", "市公安局", "10"),
    ("外商投资信息报告", "10", "2", "《中华人民共和国外商投资法》；《外商投资信息报告办法》", "", "",
     "投资项目;企业开办", "外资信息报告;外商投资报告;外资企业;合格境外投资者", "报告回执", "其他",
     "外国投资者或外商投资企业通过企业登记系统报送投资信息。", "外商投资初始报告（网上填报）", "市商务局", "0"),
    ("对外承包工程项目备案", "10", "2", "《对外承包工程管理条例》", "", "",
     "投资项目", "对外承包;境外工程;对外承包工程备案", "备案回执", "其他",
     "企业在境外承揽工程项目，按规定备案。", "对外承包工程项目备案表;项目合同或中标通知书", "市商务局", "3"),
    ("高新技术企业认定申报（县级推荐）", "20", "2", "《高新技术企业认定管理办法》", "", "",
     "投资项目", "高企认定;高新技术企业;高企申报", "推荐意见", "其他",
     "在中国境内注册成立一年以上的居民企业，符合高新技术企业认定条件。",
     "高新技术企业认定申请书;知识产权证书;研究开发费用专项审计报告", "市科工信局", "10"),
    ("科技型中小企业评价", "20", "2", "《科技型中小企业评价办法》", "", "",
     "投资项目", "科技型中小企业;科小入库;科技型企业评价", "入库登记编号", "其他",
     "在中国境内注册的居民企业，职工总数不超过500人、年销售收入和资产总额均不超过2亿元。",
     "科技型中小企业信息表（网上填报）", "市科工信局", "5"),
    ("专利侵权纠纷行政裁决", "09", "1;2", "《中华人民共和国专利法》；《专利行政执法办法》", "", "",
     "法律服务", "专利侵权;专利纠纷;知识产权保护;专利维权", "行政裁决书", "批文",
     "专利权人或者利害关系人认为他人侵犯其专利权，请求管理专利工作的部门处理。",
     "专利侵权纠纷处理请求书;专利权有效证明;侵权证据材料", "市市场监督管理局", "30"),
]
for (name, tcode, aud, basis, lw, ln, themes_, kws, result, rtype, cond, mats, dept,
     promised) in BUNDLE_ITEMS:
    add_item(name, tcode, aud, basis, lw, ln, themes_, kws, result, rtype, cond, BUNDLE_ITEM_SOURCE, "yes")
    item_meta[name] = {"type": tcode, "dept": dept, "materials": mats.split(";"), "promised": promised,
                       "source": "", "scope": "county"}
# Plan measure 17: 低压办电 ≤ 3 环节, 高压 ≤ 4; 用水用气 ≤ 3 环节 and ≤ 2 申请材料. Only the members of the
# 市政公用服务报装 bundle carry limits (steps_limit / materials_limit); every other item leaves them empty.
ITEM_LIMITS = {"供水报装": ("3", "2"), "燃气报装": ("3", "2"), "低压供电报装": ("3", ""), "高压供电报装": ("4", "")}
for it in items:
    it["steps_limit"], it["materials_limit"] = ITEM_LIMITS.get(it["name"], ("", ""))
assert len({i["name"] for i in items}) == len(items)
item_by_name = {i["name"]: i for i in items}

write_csv("items.csv", ["basic_code", "name", "item_type", "audience", "themes", "legal_basis",
                        "legal_limit_workdays", "legal_limit_note", "conditions", "result_name", "result_type",
                        "is_intermediary", "keywords", "source", "illustrative", "steps_limit",
                        "materials_limit"], items)

# --------------------------------------------------------------------------- materials
E, S, A, C, N = "e_license", "shared_data", "applicant", "commitment", "not_required"
MAT_RULES = [  # (regex, source, government_issued, issuer, form, note) — first match wins
    (r"(申请表|申请书|登记表|申报表|审核表|信息表)$", A, "no", "", "原件", "可在线填写或窗口免费提供样表"),
    (r"任职文件", A, "no", "", "原件", "身份证件信息从电子证照库调取"),
    (r"退役证件|户口迁移证明|父母死亡或宣告失踪证明|产权备案证明|品种审定或登记证明|卫生技术人员资格证明|执业人员资格证明", S, "yes", "有关主管部门", "电子", "通过部门信息共享核验"),
    (r"设计单位资质证明", E, "yes", "住房城乡建设或气象主管部门", "电子", "从电子证照库调取"),
    (r"营业执照注销证明|注销或撤销的决定文件", S, "yes", "市场监督管理部门", "电子", "由登记机关共享推送"),
    (r"^原.*(身份证|残疾人证|驾驶证)|原居民身份证", E, "yes", "发证机关", "电子", "证照信息从电子证照库调取，原证现场交回"),
    (r"身份证|身份证件|身份证明|户口簿|户口页", E, "yes", "公安机关", "电子", "从电子证照库调取，无需提交复印件"),
    (r"营业执照|统一社会信用代码证明", E, "yes", "市场监督管理部门", "电子", "从电子证照库调取"),
    (r"结婚证|离婚证|婚姻状况证明|丧偶证明|婚姻登记档案", S, "yes", "婚姻登记机关", "电子", "通过婚姻登记信息共享核验"),
    (r"死亡证明|死亡医学证明|死亡或终止参保", S, "no", "医疗卫生机构或公安机关", "电子", "通过死亡信息共享核验"),
    (r"出生医学证明$|出生医学记录|新生儿相关信息|新生儿及监护人信息", S, "no", "助产医疗机构", "电子", "由出生医学证明系统共享"),
    (r"残疾人证", E, "yes", "残疾人联合会", "电子", "从电子证照库调取"),
    (r"残疾评定结果", S, "no", "指定评残医疗机构", "电子", "评残结果系统推送"),
    (r"不动产权证书|土地使用权证明|房屋权属证明|林木权属证明|林权", E, "yes", "不动产登记机构", "电子", "从电子证照库调取"),
    (r"房产证明或居住证", S, "yes", "不动产登记机构或公安机关", "电子", "通过不动产、居住证信息共享核验"),
    (r"规划许可证|施工许可证|许可证$|执业许可证|经营许可证|开户登记证|登记证书|营业执照和资质证书|渔船证书", E, "yes", "发证机关", "电子", "从电子证照库调取"),
    (r"出让合同|批准、核准或备案文件|项目批准文件|批准文件|批复|前期工作文件|有关证明文件|用地证明|宅基地批准|权属来源证明|认可文件|业务主管单位|设置批准书|车辆经营权证明|消防安全检查合格证明|用地预审与选址意见书|竣工验收备案证明", S, "yes", "有关审批部门", "电子", "通过审批信息共享获取"),
    (r"社会保障卡|社保缴费记录|参保缴费凭证|清缴欠费证明|退休证明", S, "yes", "社会保险经办机构", "电子", "通过社保信息共享核验"),
    (r"退出现役证|残疾军人证|复员证明|入伍通知书|介绍信", S, "yes", "退役军人事务部门（兵役机关）", "电子", "通过退役军人信息系统核验"),
    (r"行驶证|驾驶证|驾驶人员证件|驾驶员证件|从业资格证|驾驶人员相关证明|驾驶员、押运员资格证明|承运人资质证明", E, "yes", "公安交管或交通运输部门", "电子", "从电子证照库调取"),
    (r"医师资格证书|护士执业资格考试|教师资格考试合格证明|普通话水平测试|执业药师资格证明|质量负责人、执业药师", S, "yes", "资格考试主管部门", "电子", "通过资格信息共享核验"),
    (r"学历证书|学历证明|学历或资格证明|学历证书及专业学习证明", S, "no", "学校", "电子", "通过学历信息网上核验"),
    (r"独生子女父母光荣证", S, "yes", "乡镇人民政府（街道办事处）", "电子", "通过计生信息系统核验"),
    (r"工伤认定决定书|劳动能力鉴定结论", S, "yes", "人力资源社会保障部门", "电子", "系统内共享"),
    (r"完税凭证|完税或免税凭证", S, "yes", "税务机关", "电子", "通过税务信息共享核验"),
    (r"保险凭证", S, "no", "保险公司", "电子", "通过保险信息共享核验"),
    (r"培训合格证明|安全培训证明|培训考核证明", E, "yes", "应急管理或行业主管部门", "电子", "从电子证照库调取"),
    (r"系统推送|网上填报|在线填报|企业基本信息|参保人员信息|单位参保信息|职工身份信息|新办纳税人|发票领用相关信息|企业注销信息", S, "no", "", "电子", "系统自动获取"),
    (r"照片|相片", A, "no", "", "原件", ""),
    (r"银行卡|银行账户|一卡通", A, "no", "开户银行", "复印件", "提供账号信息即可"),
    (r"合同|协议", A, "no", "", "原件和复印件", ""),
    (r"发票|票据|费用清单|结算单据", A, "no", "", "原件", ""),
    (r"健康证明|健康合格证明|体检|身体条件证明|诊断证明|病历|出院记录|免疫证明", A, "no", "医疗卫生机构", "原件", ""),
    (r"申请书|申请表|登记表|备案表|申报表|审核表|信息表|申请函|申请报告|登记书|备案书|申报单|申领表|^申请$|申请$|报告表|承诺书|承诺函|调解申请|委托书|备案信息表|申请审批", A, "no", "", "原件", "可在线填写或窗口免费提供样表"),
]
COMMIT_MATS = {  # (item, material) -> note
    ("公众聚集场所投入使用、营业前消防安全检查", "消防安全制度"): "选择告知承诺方式的，以消防安全告知承诺书代替",
    ("公共场所卫生许可", "卫生检测报告"): "以卫生条件符合要求的书面承诺代替，事后核查",
    ("道路货物运输经营许可", "安全生产管理制度"): "以书面承诺代替，事后核查",
    ("教师资格认定", "思想品德鉴定表"): "以个人承诺代替，并核查无犯罪记录",
    ("最低生活保障对象认定、保障金给付", "家庭收入和财产状况证明"): "以家庭经济状况授权核对和书面承诺代替",
    ("临时救助对象认定、救助金给付", "困难情形证明"): "以书面承诺代替，由乡镇（街道）入户核实",
}
EXTRA_MATS = {  # extra rows added to an item (name, source) ; not_required rows keep the baseline visible
    "教师资格认定": [("思想品德鉴定表", C)],
    "企业设立登记（公司设立登记）": [("名称预先核准通知书", N), ("股东身份证复印件", N)],
    "个体工商户设立登记": [("经营者身份证复印件", N)],
    "出生登记（新生儿入户）": [("父母户口所在地派出所证明", N)],
    "居民身份证申领、换领、补领": [("户口所在地村（居）委会证明", N)],
    "内地居民结婚登记": [("婚姻状况证明（单位或村委会出具）", N), ("婚前医学检查证明", N)],
    "最低生活保障对象认定、保障金给付": [("村（居）委会出具的家庭困难证明", N)],
    "特困人员认定、救助供养金给付": [("村（居）委会出具的无赡养人证明", N)],
    "城乡居民基本养老保险参保登记": [("户口簿复印件", N)],
    "城乡居民基本医疗保险参保登记": [("户口簿复印件", N)],
    "社会保障卡申领": [("身份证复印件", N)],
    "残疾人证新办": [("户籍所在地村（居）委会证明", N)],
    "不动产转移登记（存量房买卖）": [("房屋契税完税证明纸质件", N)],
    "住房公积金提取（正常退休）": [("单位出具的退休证明", N)],
    "企业职工基本养老保险养老金申领（正常退休）": [("职工档案复印件", N), ("身份证复印件", N)],
    "失业保险金申领": [("失业人员登记表纸质件", N)],
    "食品经营许可证核发（新办）": [("法定代表人身份证复印件", N)],
    "公共场所卫生许可": [("从业人员卫生知识培训合格证明", N)],
    "建筑工程施工许可证核发": [("建设资金已经落实承诺书（银行资金证明）", N)],
    "夫妻投靠户口迁移": [("准予迁入证明（纸质）", N)],
    "高龄津贴发放": [("村（居）委会出具的生存证明", N)],
    "农村村民宅基地审批": [("村民小组会议记录纸质件", N)],
    "残疾人两项补贴申请代办": [("残疾人证复印件", N)],
}
# materials of a guide no longer asked for (kept as not_required for the baseline)
MAT_DROPPED = {
    ("燃气报装", "委托设计及施工确认函"): "措施17要求用气报装申请材料≤2件：本包示意在方案答复后签署，不再作为申请材料",
}
# deliberate defects for the quality-check demo
CATCH_ALL_DEFECT = ["临时用地审批", "城市建筑垃圾处置核准", "设置农村公益性墓地审批", "单用途商业预付卡发卡企业备案"]
GOV_PAPER_DEFECT = {  # item -> material demanded as paper from the applicant although government-issued
    "出生登记（新生儿入户）": ("结婚证", "原件和复印件", "婚姻登记机关"),
    "夫妻投靠户口迁移": ("被投靠人居民户口簿", "原件和复印件", "公安机关"),
    "建筑工程施工许可证核发": ("建设工程规划许可证", "复印件", "自然资源主管部门"),
    "娱乐经营许可证核发（歌舞娱乐场所）": ("营业执照", "复印件", "市场监督管理部门"),
}
REGION_MATS = [  # (item, region, material, note)
    ("农村村民宅基地审批", "430481213000", "地质灾害危险性评估意见", "长坪乡地质灾害易发区内建房时提供"),
    ("农村村民宅基地审批", "430481119000", "地质灾害危险性评估意见", "马水镇地质灾害易发区内建房时提供"),
]


# vague shared material names rewritten as specific ones (catch-all wording is reserved for the deliberate defects)
MAT_RENAME = {
    "住所使用相关文件": "住所使用证明（产权证明或租赁合同）",
    "经营场所使用相关文件": "经营场所使用证明（产权证明或租赁合同）",
    "主要经营场所使用相关文件": "主要经营场所使用证明（产权证明或租赁合同）",
    "企业住所使用相关文件": "企业住所使用证明（产权证明或租赁合同）",
    "营业场所使用相关文件": "营业场所使用证明（产权证明或租赁合同）",
    "纠正失信行为的有关材料": "已纠正失信行为的说明及补缴税款、滞纳金凭证",
    "创业项目相关材料": "创业项目计划书",
    "人事档案相关材料": "人事档案（记载参加工作时间和连续工龄的原始材料）",
    "死亡或终止参保相关证明": "终止参保原因证明（死亡、出国定居或已参加其他医保）",
    "租房相关证明": "房屋租赁合同或租金缴纳凭证",
    "相关证明": "申请人与死者关系说明",
    "婚姻登记档案证明或其他证明": "婚姻登记档案记录",
    "被收养人相关证明": "被收养人身份证明",
    "家庭收入和财产状况相关证明": "家庭收入和财产状况证明",
    "父母情况相关证明": "父母重残、重病、服刑或失联等情况证明",
    "服务场所相关证明": "服务场所产权证明或租赁合同",
    "房屋竣工相关材料": "建设工程竣工验收备案证明",
    "使用土地的有关证明文件": "土地使用权证明文件",
    "施工图设计文件审查相关材料": "施工图设计文件审查合格书",
    "质量安全措施相关材料": "工程质量安全保障措施说明",
    "独生子女父母光荣证或相关证明": "独生子女父母光荣证",
    "车辆、驾驶人员相关证明": "车辆行驶证及驾驶人员从业资格证",
    "车辆技术等级评定相关材料": "车辆技术等级评定报告",
    "货物相关资料": "货物名称、重量和外廓尺寸说明",
    "消防和环保相关证明": "消防安全检查合格证明和环境影响评价手续",
    "网络安全和消防相关证明": "网络安全技术措施和消防安全检查合格证明",
    "与所申请法律援助事项有关的材料": "与法律援助事项有关的案件材料（起诉状、判决书等）",
    "单位注销相关文件": "单位注销或撤销的决定文件",
    "与变更事项有关的材料": "变更事项说明（场所、设备布局或人员变化情况）",
    "与延续事项有关的材料": "经营条件未发生变化的说明",
}


def classify(item, mat):
    optional = bool(re.search(r"（(如有|再婚者|换领时|委托办理时|智力、精神和未成年人|7岁以下可不提供)", mat))
    for rx, src, gov, issuer, form, note in MAT_RULES:
        if re.search(rx, mat):
            break
    else:
        src, gov, issuer, form, note = A, "no", "", "原件", ""
    if (item, mat) in COMMIT_MATS:
        src, form, note = C, "原件", COMMIT_MATS[(item, mat)]
    if src == A and "现场采集" in mat:
        note = "窗口现场免费采集"
    return {"item_name": item, "region_code": "", "name": mat, "form": form, "copies": "1", "source": src,
            "required": "no" if optional else "yes", "issuer": issuer, "government_issued": gov, "note": note}


materials = []
for it in items:
    name = it["name"]
    mats = [MAT_RENAME.get(m, m) for m in item_meta[name]["materials"]]
    rows = [classify(name, m) for m in mats]
    if name in GOV_PAPER_DEFECT:
        mname, form, issuer = GOV_PAPER_DEFECT[name]
        found = [r for r in rows if r["name"] == mname]
        r = found[0] if found else classify(name, mname)
        if not found:
            rows.append(r)
        r.update(source=A, government_issued="yes", form=form, issuer=issuer, note="")
    for r in rows:
        if (name, r["name"]) in MAT_DROPPED:
            r.update(source=N, required="no", note=MAT_DROPPED[(name, r["name"])])
    for extra, src in EXTRA_MATS.get(name, []):
        r = classify(name, extra)
        r["source"] = src
        if src == N:
            r.update(required="no", note="已取消，仅保留作减材料基线")
        rows.append(r)
    if name in CATCH_ALL_DEFECT:
        rows.append({"item_name": name, "region_code": "", "name": "其他相关材料", "form": "原件和复印件",
                     "copies": "1", "source": A, "required": "yes", "issuer": "", "government_issued": "no",
                     "note": ""})
    materials.extend(rows)
for item, region, mat, note in REGION_MATS:
    materials.append({"item_name": item, "region_code": region, "name": mat, "form": "原件", "copies": "1",
                      "source": A, "required": "yes", "issuer": "具备资质的评估单位", "government_issued": "no",
                      "note": note})
write_csv("materials.csv", ["item_name", "region_code", "name", "form", "copies", "source", "required", "issuer",
                            "government_issued", "note"], materials)

# Material-reduction baseline. "now" = materials the applicant still has to bring (source=applicant).
# The recorded 2021 baseline is at least now + the rows marked not_required, and is otherwise set so that
# the per-item reduction lies between 20% and 40% (overall around 30%, the plan's "再压减25%以上" target).
mat_count = {}
for m in materials:
    key = (m["item_name"], m["region_code"])
    c = mat_count.setdefault(key, {"now": 0, "dropped": 0})
    if m["source"] == A:
        c["now"] += 1
    elif m["source"] == N:
        c["dropped"] += 1
for (iname, region), c in mat_count.items():
    if region:
        c["base"] = c["now"]
        continue
    r = pick([0.1, 0.15, 0.2, 0.25, 0.3, 0.35], "reduction", iname)
    # items whose materials now all come from e-licences/shared data still needed at least one paper copy in 2021
    c["base"] = max(c["now"] + c["dropped"], int(round(c["now"] / (1 - r))), 1)

# --------------------------------------------------------------------------- implementations
DEEMED_ITEMS = {
    "企业设立登记（公司设立登记）", "个体工商户设立登记", "合伙企业设立登记", "个人独资企业设立登记", "分公司设立登记",
    "公司变更登记", "个体工商户变更登记", "食品经营许可证核发（新办）", "食品小经营许可证核发（小餐饮）",
    "仅销售预包装食品经营者备案", "公章刻制备案（印章刻制）", "增值税一般纳税人登记", "公共场所卫生许可", "医师执业注册",
    "护士执业注册", "教师资格认定", "旅馆业特种行业许可证核发", "道路货物运输经营许可", "营运车辆道路运输证配发",
    "建筑工程施工许可证核发", "建设工程竣工验收备案", "其他建设工程消防验收备案", "房地产经纪机构备案",
    "户外招牌设施规范管理（设置备案）", "农药经营许可证核发", "出版物零售单位设立审批", "旅行社设立分社备案",
    "设立艺术品经营单位备案", "生产经营单位生产安全事故应急预案备案", "畜禽养殖场、养殖小区备案", "机动车维修经营备案",
    "特种设备使用登记", "诊所执业备案",
}
for n in DEEMED_ITEMS:
    assert item_meta[n]["type"] in ("01", "05", "07", "08", "09", "10"), n
COMMIT_ITEMS = {k[0] for k in COMMIT_MATS}
CROSS = {
    "居民身份证跨省异地办理": "全国", "异地长期居住人员就医备案": "全国", "企业职工基本养老保险关系转移接续申请": "全国",
    "社会保险个人权益记录查询打印": "全国", "开具个人所得税纳税记录": "全国", "无犯罪记录证明": "全国",
    "社会保障卡申领": "跨省", "企业设立登记（公司设立登记）": "全国", "个体工商户设立登记": "全国",
    "住房公积金缴存证明开具": "全国", "购买自住住房提取住房公积金": "跨省", "失业保险金申领": "跨省",
    "内地居民结婚登记": "跨省", "出生登记（新生儿入户）": "跨市", "机动车检验合格标志核发": "全国",
    "城乡居民基本养老保险参保登记": "跨县", "城乡居民基本医疗保险参保登记": "跨县",
}
FEES = {
    "不动产首次登记（国有建设用地使用权及房屋所有权）": "不动产登记费（住宅）|80元/件|发改价格规〔2016〕2559号;不动产登记费（非住宅）|550元/件|发改价格规〔2016〕2559号",
    "不动产转移登记（存量房买卖）": "不动产登记费（住宅）|80元/件|发改价格规〔2016〕2559号;不动产登记费（非住宅）|550元/件|发改价格规〔2016〕2559号",
    "不动产抵押登记": "不动产登记费（住宅）|80元/件|发改价格规〔2016〕2559号;不动产登记费（非住宅）|550元/件|发改价格规〔2016〕2559号",
    "宅基地使用权及房屋所有权首次登记": "不动产权属证书工本费|10元/本|发改价格规〔2016〕2559号",
    "居民身份证申领、换领、补领": "居民身份证工本费|20元/证|发改价格〔2003〕2322号",
    "居民身份证跨省异地办理": "居民身份证工本费|20元/证|发改价格〔2003〕2322号",
    "普通护照签发": "普通护照工本费|120元/本|发改价格〔2019〕914号",
    "往来港澳通行证及签注签发": "往来港澳通行证工本费|60元/证|发改价格〔2019〕914号;往来港澳签注费|15元/次|发改价格〔2019〕914号",
    # defects: fees without any basis
    "公共场所卫生许可": "卫生检测费|300元/次|",
    "城市建筑垃圾处置核准": "审核服务费|200元/件|",
}
PROMISED_OVER_LEGAL_DEFECT = {"个体工商户设立登记": "5", "护士执业注册": "22"}  # + 内地居民结婚登记 as published (20 > 0)
DEPTH4_TRIP1_DEFECT = {"开具无欠税证明", "增值税一般纳税人登记", "住房公积金缴存证明开具"}
DEPTH = {}
for n in ["社会保险个人权益记录查询打印", "开具个人所得税纳税记录", "开具无欠税证明", "代开增值税普通发票", "增值税一般纳税人登记",
          "新办纳税人“一照一码”户信息确认", "税务注销（清税）", "纳税信用修复", "新办纳税人发票领用（含税务UKey发放）",
          "企业设立登记（公司设立登记）", "公司变更登记", "公司注销登记", "个体工商户设立登记", "个体工商户变更登记",
          "个体工商户注销登记", "合伙企业设立登记", "个人独资企业设立登记", "分公司设立登记", "仅销售预包装食品经营者备案",
          "企业员工社会保险参保登记", "企业员工基本医疗保险参保登记", "职工基本医疗保险参保登记", "住房公积金单位缴存登记",
          "住房公积金个人账户设立", "异地长期居住人员就医备案", "城乡居民基本医疗保险参保登记", "城乡居民基本养老保险参保登记",
          "灵活就业人员企业职工基本养老保险参保登记", "企业职工基本养老保险关系转移接续申请", "就业登记", "失业登记",
          "失业保险金申领", "就业创业证申领", "住房公积金提取（正常退休）", "租房提取住房公积金", "购买自住住房提取住房公积金",
          "住房公积金缴存证明开具", "无犯罪记录证明", "企业投资项目备案", "建设项目环境影响登记表备案", "契税申报",
          "个人所得税综合所得汇算清缴", "车辆购置税申报", "城乡居民基本养老保险费、医疗保险费缴纳", "政府信息公开申请",
          "失业保险稳岗返还", "企业营业执照信息核验", "企业印章注销", "参保单位注销（注销社会保险登记）",
          "住房公积金单位缴存登记注销", "商品房买卖合同网签备案", "兵役登记", "高校毕业生社保补贴申领",
          "不动产权证书（住房情况）查询", "机动车驾驶证期满换证", "生育登记", "科学育儿指导服务登记",
          "义务教育阶段新生入学报名（新生入学信息采集）"]:
    DEPTH[n] = 4
for n in ["居民身份证申领、换领、补领", "居民身份证跨省异地办理", "普通护照签发", "往来港澳通行证及签注签发", "内地居民结婚登记",
          "内地居民离婚登记", "补领婚姻登记证", "中国公民收养子女登记", "机动车注册登记（新车上牌）", "残疾人证新办",
          "出生医学证明首次签发", "预防接种证办理", "动物检疫合格证明出具", "拖拉机/联合收割机注册登记", "特种设备作业人员资格认定",
          "电动自行车登记上牌", "机动车检验合格标志核发", "居住证办理", "遗体火化证明开具", "死亡医学证明（推断）书办理",
          "出具死亡证明（非正常死亡）", "残疾类别、等级变更", "农村村民宅基地审批", "乡村建设规划许可证核发",
          "在村庄、集镇规划区内公共场所修建临时建筑等设施审批", "农村危房改造补助申请", "独生子女父母光荣证补办"]:
    DEPTH[n] = 2
for n in ["民族团结进步表彰", "气象工作突出贡献奖励", "水事纠纷裁决", "土地权属争议调处", "人民调解（民事纠纷调解）",
          "农村土地承包经营纠纷调解", "自然灾害生活救助", "森林防火期内野外用火审批"]:
    DEPTH[n] = 1
TWO_TRIPS = {"居民身份证申领、换领、补领", "残疾人证新办", "农村村民宅基地审批", "中国公民收养子女登记"}
POSTAL_OK = {"社会保障卡申领", "普通护照签发", "往来港澳通行证及签注签发", "居民身份证跨省异地办理", "残疾人证换领",
             "残疾人证挂失补办"}
ONE_THING_ITEMS = set()  # items in the 一件事 comprehensive window (企业开办 / 开办餐饮 / 水电气网)
for it in items:
    if set(it["themes"].split(";")) & {"企业开办", "开办餐饮", "水电气网报装"}:
        ONE_THING_ITEMS.add(it["name"])


def default_promised(name, tcode, legal):
    if legal not in ("", None):
        L = float(legal)
        if L == 0:
            return "0"
        if L <= 3:
            return pick(["0.5", "0.5", "0"], "p", name)
        if L <= 10:
            return pick(["1", "1", "0.5"], "p", name)
        if L <= 20:
            return pick(["1", "1", "2"], "p", name)
        return pick(["1", "2", "3"], "p", name)
    return {
        "01": pick(["3", "5", "5", "10"], "p", name), "04": "0", "05": pick(["5", "10", "15"], "p", name),
        "07": pick(["1", "3", "5"], "p", name), "08": "20", "09": "30", "10": pick(["0", "1", "1", "2", "3"], "p", name),
        "20": pick(["0", "0", "1", "1", "2", "3", "5"], "p", name),
    }[tcode]


def fmt(x):
    x = float(x)
    return str(int(x)) if x == int(x) else str(x)


dept_index = {d["short_name"]: i for i, d in enumerate(shared_depts)}


def county_place(name, dept):
    if name in ONE_THING_ITEMS:
        return CENTER + "（" + CENTER_ADDR + "）1楼B区高效办成一件事重点事项综合窗口"
    i = dept_index.get(dept, 0)
    floor = 1 + i % 3
    zone = "ABCD"[i % 4]
    return "%s（%s）%d楼%s区%d号窗口" % (CENTER, CENTER_ADDR, floor, zone, 1 + (h("win", dept) % 40))


def impl_row(name, dept, region, level, place, phone, promised, delegated_from="", source=""):
    it = item_by_name[name]
    tcode = it["item_type"]
    depth = DEPTH.get(name, 3)
    if level == 6:
        depth = 3
    elif level == 5 and depth == 1:
        depth = 2  # township mediation requests can be lodged online (网上收件)
    elif level == 5 and depth == 4 and name not in ("兵役登记",):
        depth = 3  # township windows receive and forward; 全程网办 stays at county
    channels = ["window"]
    if depth >= 3:
        channels += ["online", "mobile"]
    elif depth == 2:
        channels += ["online"]
    if level == 4 and (name in POSTAL_OK or (depth == 3 and h("postal", name) % 3 == 0)):
        channels.append("postal")
    if level == 4 and depth == 4 and h("self", name) % 3 == 0:
        channels.append("self_service")
    if depth == 4:
        trips = 0
    elif depth == 3:
        trips = 0 if "postal" in channels else 1
    elif depth == 2:
        trips = 1
    else:
        trips = 1 + (h("t", name) % 2 == 0 and tcode in ("09",))
    if name in TWO_TRIPS and "postal" not in channels:
        trips = 2
    if level == 6 and name == "高龄津贴申领代办":
        trips = 0  # 村干部上门代办
    if level == 4 and name in DEPTH4_TRIP1_DEFECT:
        trips = 1
    forms = [c for c, ch in (("1", "window"), ("2", "online"), ("3", "mobile"), ("4", "postal")) if ch in channels]
    commit = "yes" if name in COMMIT_ITEMS else "no"
    deemed = "yes" if (level == 4 and name in DEEMED_ITEMS) else "no"
    cur = mat_count.get((name, ""), {"now": 0, "base": 0})
    extra = mat_count.get((name, region), {"now": 0, "base": 0}) if region != COUNTY else {"now": 0, "base": 0}
    base = cur["base"] + extra["base"]
    return {
        "item_name": name, "department": dept, "region_code": region, "level": str(level),
        "promised_limit_workdays": promised, "online_depth": str(depth), "trips": str(trips),
        "handling_forms": ";".join(forms), "case_kind": "1" if promised == "0" else "2",
        "channels": ";".join(channels), "fees": FEES.get(name, "") if level == 4 else "",
        "commitment": commit, "commitment_batch": COMMIT_BATCH if commit == "yes" else "",
        "commitment_published_on": COMMIT_DATE if commit == "yes" else "",
        "deemed_approval": deemed, "deemed_batch": DEEMED_BATCH if deemed == "yes" else "",
        "deemed_published_on": DEEMED_DATE if deemed == "yes" else "",
        "cross_region_scope": CROSS.get(name, "") if level == 4 else "",
        "appointment": "yes" if level in (4, 5) else "no", "place": place, "hours": HOURS, "phone": phone,
        "delegated": "yes" if delegated_from else "no", "delegated_from": delegated_from,
        "delegation_batch": DELEG_BATCH if delegated_from else "", "delegated_on": DELEG_DATE if delegated_from else "",
        "baseline_material_count": str(base), "source": source, "illustrative": "yes",
    }


impls = []
# county level (4)
for it in items:
    name = it["name"]
    meta = item_meta[name]
    if meta["scope"] != "county" or meta["dept"] == "各乡镇人民政府（街道办事处）":
        continue
    dept = meta["dept"]
    promised = meta["promised"] or default_promised(name, it["item_type"], it["legal_limit_workdays"])
    promised = PROMISED_OVER_LEGAL_DEFECT.get(name, promised)
    src = meta["source"] if meta["promised"] else ""
    impls.append(impl_row(name, dept, COUNTY, 4, county_place(name, dept), phone_for(dept), fmt(promised), "", src))

# township level (5): (item, delegated_from, rural_only)
TOWN_ITEMS = [
    ("农村村民宅基地审批", "", True), ("乡村建设规划许可证核发", "市自然资源局", True),
    ("在村庄、集镇规划区内公共场所修建临时建筑等设施审批", "", True), ("农村危房改造补助申请", "市住建局", True),
    ("耕地地力保护补贴申报", "市农业农村局", True), ("农村土地承包经营纠纷调解", "", True),
    ("独生子女父母光荣证补办", "", False), ("残疾人证申领代办", "", False), ("人民调解（民事纠纷调解）", "", False),
    ("兵役登记", "", False), ("城乡居民基本养老保险参保登记", "", False), ("城乡居民基本养老保险待遇申领", "", False),
    ("城乡居民基本医疗保险参保登记", "", False), ("最低生活保障对象认定、保障金给付", "市民政局", False),
    ("特困人员认定、救助供养金给付", "市民政局", False), ("临时救助对象认定、救助金给付", "市民政局", False),
    ("困难残疾人生活补贴发放", "市民政局", False), ("重度残疾人护理补贴发放", "市民政局", False),
    ("高龄津贴发放", "", False), ("计划生育家庭特别扶助金", "市卫健局", False),
    ("农村部分计划生育家庭奖励扶助金", "市卫健局", False), ("生育登记", "", False), ("失业登记", "", False),
    ("退役军人优待证申领", "", False), ("义务兵家庭优待金给付", "市退役军人事务局", False),
    ("社会保险个人权益记录查询打印", "", False),
]
TOWN_PROMISED = {"农村村民宅基地审批": "10", "乡村建设规划许可证核发": "2",
                 "在村庄、集镇规划区内公共场所修建临时建筑等设施审批": "2", "农村危房改造补助申请": "15",
                 "耕地地力保护补贴申报": "10", "农村土地承包经营纠纷调解": "15", "独生子女父母光荣证补办": "1",
                 "残疾人证申领代办": "0", "人民调解（民事纠纷调解）": "15", "兵役登记": "0",
                 "城乡居民基本养老保险待遇申领": "5", "高龄津贴发放": "10", "计划生育家庭特别扶助金": "10",
                 "农村部分计划生育家庭奖励扶助金": "10", "退役军人优待证申领": "10", "义务兵家庭优待金给付": "10",
                 "社会保险个人权益记录查询打印": "0", "困难残疾人生活补贴发放": "15", "重度残疾人护理补贴发放": "15"}
for t in towns:
    for name, dfrom, rural in TOWN_ITEMS:
        if rural and t["code"] not in rural_towns:
            continue
        promised = TOWN_PROMISED.get(name) or item_meta[name]["promised"] or \
            default_promised(name, item_by_name[name]["item_type"], item_by_name[name]["legal_limit_workdays"])
        place = "%s便民服务中心综合受理窗口" % t["name"]
        impls.append(impl_row(name, town_dept[t["code"]], t["code"], 5, place, phone_for(t["code"]), fmt(promised), dfrom))

# village level (6): 代办 items
VILLAGE_ITEMS = [("城乡居民基本养老保险参保登记代办", "1"), ("高龄津贴申领代办", "1"),
                 ("残疾人两项补贴申请代办", "1"), ("城乡居民基本医疗保险参保缴费代办", "0")]
for v in villages:
    for name, promised in VILLAGE_ITEMS:
        impls.append(impl_row(name, village_dept[v["code"]], v["code"], 6,
                              town_by_code[v["parent_code"]]["name"] + village_station(v["name"]),
                              phone_for(v["parent_code"]), promised))

IMPL_HEADER = ["item_name", "department", "region_code", "level", "promised_limit_workdays", "online_depth", "trips",
               "handling_forms", "case_kind", "channels", "fees", "commitment", "commitment_batch",
               "commitment_published_on", "deemed_approval", "deemed_batch", "deemed_published_on",
               "cross_region_scope", "appointment", "place", "hours", "phone", "delegated", "delegated_from",
               "delegation_batch", "delegated_on", "baseline_material_count", "source", "illustrative"]
write_csv("implementations.csv", IMPL_HEADER, impls)

# --------------------------------------------------------------------------- faq / people / pack.json
import sys

sys.path.insert(0, str(TOOLS))
from faq_people import FAQ, PEOPLE

# Demo logins for the 一件事 back offices: one reviewer per 企业开办 member department that had none, and an
# entrepreneur who applies for 企业开办 (same password as every demo login).
PEOPLE = [
    *PEOPLE,
    ("gongan", "钱公安", "reviewer", "市公安局", "430481000000", "13800000012", "demo-2026"),
    ("shuiwu", "冯税务", "reviewer", "市税务局", "430481000000", "13800000013", "demo-2026"),
    ("renshe", "李人社", "reviewer", "市人社局", "430481000000", "13800000014", "demo-2026"),
    ("yibao", "周医保", "reviewer", "市医保局", "430481000000", "13800000015", "demo-2026"),
    ("gongjijin", "吴公积金", "reviewer", "公积金耒阳管理部", "430481000000", "13800000016", "demo-2026"),
    ("yinhang", "郑银行", "reviewer", "人民银行耒阳支行", "430481000000", "13800000017", "demo-2026"),
    ("chuangye", "孙创业", "applicant_person", "", "430481001000", "13800000018", "demo-2026"),
    # 首席代表 of the other 企业开办 departments: one person may not pass two approval steps
    # in a row, so each back office needs a second person to finish its chain.
    ("chief_gongan", "钱首席", "chief_representative", "市公安局", "430481000000", "13800000019", "demo-2026"),
    ("chief_shuiwu", "冯首席", "chief_representative", "市税务局", "430481000000", "13800000020", "demo-2026"),
    ("chief_renshe", "李首席", "chief_representative", "市人社局", "430481000000", "13800000021", "demo-2026"),
    ("chief_gongjijin", "吴首席", "chief_representative", "公积金耒阳管理部", "430481000000", "13800000022", "demo-2026"),
    ("chief_yinhang", "郑首席", "chief_representative", "人民银行耒阳支行", "430481000000", "13800000023", "demo-2026"),
]

write_csv("faq.csv", ["item_name", "question", "answer"], [dict(zip(["item_name", "question", "answer"], f)) for f in FAQ])
# The identity recorded on the demo applicants' accounts: an applicant files only under their
# own (issue 8, finding 9). Illustrative numbers with valid check characters.
# Issue 10: every demo applicant has a distinct identity; canyin has a legal representative
# (陈大厨, no account: one of the illustrative residents of identities.csv, written by hand).
IDENTITIES = {"zhangsan": ("43048119900101123X", "", "", ""),
              "canyin": ("", "91430481MA4L00003J", "陈大厨", "430481197805200037"),
              "chuangye": ("430481199003154613", "", "", "")}
PEOPLE_COLUMNS = ["username", "display_name", "role", "department", "region_code", "phone", "password",
                  "citizen_id", "uscc", "legal_representative_name", "legal_representative_id"]
write_csv("people.csv", PEOPLE_COLUMNS,
          [dict(zip(PEOPLE_COLUMNS, (*p, *IDENTITIES.get(p[0], ("", "", "", ""))))) for p in PEOPLE])
(PACK / "pack.json").write_text(json.dumps({
    "name": "耒阳市", "region_code": COUNTY, "division_year": 2023, "document_prefix": "耒政服",
    "service_center": CENTER, "service_center_address": CENTER_ADDR, "service_phone": "0734-12345",
}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

print("regions", len(regions), "departments", len(departments), "themes", len(themes), "items", len(items),
      "materials", len(materials), "implementations", len(impls), "faq", len(FAQ), "people", len(PEOPLE))
