#!/usr/bin/env python3
"""Deterministic generator of the Leiyang 12345 labelled work orders (issue 13 §2).

ILLUSTRATIVE DATA: every order below is written by this project for training and testing the
routing model (zhengwu/hotline/classifier.py). None is a real citizen's request and none comes
from Leiyang's 12345 records; the column `illustrative` is `true` on every row.

Writes packs/leiyang/hotline/orders.csv with the columns
`text,department,kind,category_code,region_code,illustrative`:

- department: the full name as in packs/leiyang/departments.csv. Every 市直 department (the
  collective placeholder 各乡镇人民政府（街道办事处） excepted: nothing is routed to a
  placeholder) and every 乡镇人民政府 / 街道办事处 (orders naming the township, about what the
  township handles itself: 村道, 村务, 人居环境, 纠纷调解 …). Village committees are not
  承办单位 of the hotline (the township 下派s to them) and get no orders.
- kind: 诉求类型 (consult/help/complaint/report/suggestion/praise), as in the hotline's
  OrderKind.
- category_code: blank (the category tree is the core's categories.csv; not guessed here).
- region_code: the township's or street's code (regions.csv) when the text names one, else blank.

Texts are built from templates (several per 诉求类型) × places (the real township, street and
village names of regions.csv) × each department's own matters × tones (polite, anxious,
angry); seeded, so each run writes the same file; no text appears twice.

    python3 packs/leiyang/tools/build_hotline_orders.py          # (re)write orders.csv
    python3 packs/leiyang/tools/build_hotline_orders.py --check  # verify it is up to date
"""
import csv
import io
import random
import sys
from collections import Counter
from pathlib import Path

PACK = Path(__file__).resolve().parent.parent
OUT = PACK / "hotline" / "orders.csv"
SEED = 12345
PER_DEPARTMENT = 44
PER_TOWNSHIP = 34
KINDS = ("complaint", "consult", "help", "report", "suggestion", "praise")
KIND_WEIGHTS = (30, 25, 15, 10, 12, 8)

# Each county department's matters, by short name (departments.csv):
# who = how callers name its staff or office; issue = problems (投诉/求助/举报);
# ask = questions (咨询); idea = suggestions (建议). "|" separates entries.
MATTERS = {
    "市委办": {
        "who": "市委办督查室|市委办公室",
        "issue": "市委督查通报的整改事项迟迟没有落实|市委书记信箱反映的问题一直没有回音|市委交办的民生实事项目拖了一年还没动工|督查组走后问题又恢复原样|上次市委督查室转办的件被部门敷衍了事",
        "ask": "市委书记信箱怎么写信反映问题|市委督查室转办的事项一般多久有结果|怎样向市委反映对全市发展的意见|市委办公室的来信地址是哪里",
        "idea": "市委督查事项办理结果向群众公开|市委领导定期下基层接访|市委书记信箱增加网上查询进度的功能"},
    "市委组织部": {
        "who": "市委组织部|组织部干部科",
        "issue": "党员组织关系转不进来|流动党员找不到党组织过组织生活|村支部换届候选人资格有问题|有人跑官要官搞拉票|选调生服务期满后待遇没有落实|党费收缴标准算错了",
        "ask": "党员组织关系从外省转入怎么办理|入党申请书交给谁|选调生报考条件是什么|人才引进的安家补贴怎么申请|流动党员怎么参加组织生活",
        "idea": "为外出务工的流动党员建线上支部|人才引进政策向基层一线倾斜|公开村干部选拔的考察程序"},
    "市委编办": {
        "who": "市委编办|编办事业单位登记局",
        "issue": "事业单位法人证书年度报告填报系统打不开|单位空编多年却长期借调人员|事业单位法人登记变更拖着不办|机构改革后单位职责划分不清互相推诿|编外人员长期占用编制岗位",
        "ask": "事业单位法人证书遗失怎么补领|事业单位年度报告什么时候截止|事业单位法定代表人变更需要哪些材料|机构编制的调整找哪个部门",
        "idea": "事业单位登记全部改成网上办理|公开各事业单位的编制和实有人数|机构改革后及时公布各部门职责清单"},
    "市委优化办": {
        "who": "市委优化办|优化营商环境办公室",
        "issue": "企业一个月被不同部门检查了五六次|办事人员对企业吃拿卡要|承诺的招商引资优惠政策不兑现|政府项目工程款拖欠企业两年不付|惠企政策申报门槛太高企业享受不到|涉企执法随意罚款影响经营",
        "ask": "企业遇到营商环境问题向哪里投诉|惠企政策兑现去哪里申请|涉企检查有没有次数限制|企业被拖欠账款能找优化办协调吗",
        "idea": "涉企检查统一扫码入企减少重复检查|惠企政策免申即享直接兑现|设立企业诉求直通车限时回应"},
    "市纪委监委": {
        "who": "市纪委监委|纪委信访室",
        "issue": "村干部虚报冒领低保资金|有干部用公车接送孩子上学|单位领导违规收受企业礼金|干部在工作日中午饮酒|扶贫资金被村干部截留|有公职人员大操大办升学宴收礼",
        "ask": "实名举报干部违纪需要什么材料|举报后多久能知道处理结果|纪委的信访举报电话是多少|匿名举报会不会被调查",
        "idea": "公开典型违纪案件的处理结果|在村务公开栏公布纪委举报方式|加强对村级小微权力的监督"},
    "市人大办": {
        "who": "市人大常委会办公室|人大代表联络站",
        "issue": "给人大代表反映的问题一直没有答复|人大代表联络站长期关门没人接待|人大代表建议的办理答复敷衍了事|选民登记时漏登了我家几口人",
        "ask": "怎么联系本选区的人大代表|人大代表选举的选民登记什么时候开始|对地方性法规草案怎样提意见|人大代表联络站的开放时间是什么时候",
        "idea": "人大代表联络站周末也开放接待|公开人大代表建议的办理结果|人大常委会审议民生议题时邀请群众旁听"},
    "市政协办": {
        "who": "市政协办公室|政协委员工作室",
        "issue": "向政协委员反映的社情民意没有下文|政协提案答复内容与实际不符|政协委员工作室挂牌后从不开门",
        "ask": "群众怎样通过政协委员反映社情民意|政协提案的办理结果在哪里查|政协文史资料可以到哪里借阅|怎样联系本界别的政协委员",
        "idea": "政协委员定期到社区听取群众意见|公开政协提案办理情况|政协开展民生议题协商时请群众代表参加"},
    "市政府办": {
        "who": "市政府办公室|市长信箱",
        "issue": "市长信箱留言三个月没有回复|政府信息公开申请超过期限不答复|政府常务会议定的事项部门不执行|市政府网站公开的文件链接打不开|市政府承诺的民生实事没有兑现",
        "ask": "怎样向市政府申请政府信息公开|市长信箱的回复在哪里查看|市政府的规范性文件在哪里能查到|政府信息公开申请多少天内答复",
        "idea": "市长信箱的留言和回复全部公开|市政府常务会议的决定及时向社会公布|政府网站增加政策解读栏目"},
    "市政务服务中心": {
        "who": "政务服务中心窗口工作人员|政务大厅帮办代办员|政务服务中心综合窗口",
        "issue": "政务大厅排队取号等了两个多小时|窗口工作人员上班时间玩手机|综合窗口让我来回跑了三趟|政务服务中心中午不办理业务|网上预约的号到现场不认|自助打证机经常故障",
        "ask": "政务服务中心周末有没有延时服务|高效办成一件事在哪个窗口办理|政务大厅可以网上预约吗|帮办代办服务怎么申请|政务服务中心几点下班",
        "idea": "政务大厅中午实行轮班不断档|增加政务服务中心的停车位|在乡镇便民服务中心增加自助办理终端|政务大厅设老年人绿色通道"},
    "市审改办": {
        "who": "市审改办|行政审批改革办公室",
        "issue": "已经取消的证明事项窗口还要求提供|审批事项清单外还要额外的前置材料|同一份材料几个部门各要一次|承诺件变成了跑腿件审批时限超期",
        "ask": "哪些证明事项已经取消了|行政审批事项清单在哪里查询|告知承诺制审批适用哪些事项|审批时限超期可以向谁反映",
        "idea": "公布取消的证明事项清单并在窗口张贴|推行一次告知减少补材料|审批材料在部门之间共享不让群众重复提交"},
    "市经济开发区": {
        "who": "经开区管委会|开发区企业服务中心",
        "issue": "开发区标准厂房漏水多次报修没人管|园区道路坑洼大货车进出困难|入园企业承诺的水电配套没有到位|园区企业招工补贴一直没发|开发区内企业夜间生产噪音扰民|园区路灯晚上全部不亮",
        "ask": "经济开发区的标准厂房怎么租用|入驻开发区有哪些优惠政策|开发区企业服务中心在哪里办公|园区企业用工补贴怎么申请",
        "idea": "开发区开通到城区的员工通勤公交|园区建设职工公寓和食堂|开发区设置一站式企业服务窗口"},
    "市发改局": {
        "who": "市发改局|发改局项目审批股",
        "issue": "企业投资项目备案在线平台一直审核不通过|重点项目建设拖延影响周边群众出行|企业失信记录已整改但信用修复迟迟不办|以工代赈项目务工报酬没有发放|节能审查批复拖了两个月",
        "ask": "企业投资项目备案需要哪些材料|信用中国上的行政处罚信息怎么修复|重点建设项目名单在哪里公布|固定资产投资项目节能审查怎么办",
        "idea": "项目审批推行并联审批缩短时间|公开全市重点项目建设进度|信用修复实行网上一次办结"},
    "市司法局": {
        "who": "司法局法律援助中心|公证处|人民调解员",
        "issue": "申请法律援助被拒绝没有说明理由|公证处办理公证收费过高|律师收了代理费却不出庭|社区矫正人员经常外出不报告|人民调解协议签了对方不履行",
        "ask": "法律援助需要什么条件|办理继承公证需要带哪些材料|农民工讨薪能不能申请法律援助|哪里可以免费咨询法律问题|公证书多久能拿到",
        "idea": "在每个乡镇设法律援助工作站|公证处开通上门办证服务|开设公共法律服务热线夜间值班"},
    "市自然资源局": {
        "who": "市自然资源局|国土所",
        "issue": "有人在基本农田上违法建房|征地补偿款标准比周边低很多|有人在山上非法开采石头|房屋后山出现裂缝有滑坡危险|规划许可的建筑超高遮挡采光|非法占用耕地挖塘养鱼",
        "ask": "农村村民建房的规划许可怎么办理|征收土地的补偿标准在哪里公布|国土空间规划在哪里可以查询|地质灾害隐患点怎么上报",
        "idea": "公开征地补偿标准和资金发放情况|加强对非法采矿的巡查|地质灾害隐患点设置警示牌"},
    "市住建局": {
        "who": "市住建局|住建局物业管理股",
        "issue": "楼盘延期交房一年多开发商不给说法|物业公司乱收费服务又差|新房墙体开裂漏水开发商不维修|建筑工地晚上十二点还在施工|小区维修资金申请不下来电梯没法修|老旧小区改造工程质量差",
        "ask": "住房专项维修资金怎么申请使用|公租房申请需要什么条件|商品房预售许可怎么查询|老旧小区改造今年包括哪些小区|物业服务收费标准是多少",
        "idea": "公开商品房预售资金监管情况|老旧小区改造前征求居民意见|建立物业服务质量评价和退出机制"},
    "市市场监督管理局": {
        "who": "市场监管局执法人员|市场监管所",
        "issue": "超市卖过期食品|菜市场摊贩缺斤少两|饭店后厨卫生脏乱|商家虚假宣传保健品|买的手机是翻新机商家拒绝退货|小区电梯年检过期还在运行|药店卖处方药不要处方",
        "ask": "个体工商户营业执照怎么办理|营业执照经营范围怎么变更|食品经营许可证需要什么材料|网购商品质量有问题怎么维权|公司注销要多久",
        "idea": "在农贸市场设置公平秤|公开餐饮店的食品安全量化等级|加强校园周边食品安全检查"},
    "市公安局": {
        "who": "派出所民警|公安局户政窗口|交警",
        "issue": "楼上住户深夜聚会吵闹|接到冒充客服的诈骗电话被骗了钱|家门口经常有人聚众赌博|小区里电动车被盗|路口车辆乱停乱放堵死了|有人酒后驾车",
        "ask": "身份证丢了怎么补办|新生儿落户需要哪些材料|驾驶证到期换证去哪里|港澳通行证怎么办理|户口迁移需要什么手续",
        "idea": "学校门口上下学时段安排交警疏导|在夜宵街增加巡逻|户籍业务推行网上办理"},
    "市人社局": {
        "who": "人社局劳动监察大队|社保经办窗口",
        "issue": "工地老板拖欠农民工工资三个月|公司不签劳动合同不买社保|辞职后单位扣着工资不发|养老保险缴费年限算错了|失业保险金申请一直没到账|社保卡激活不了",
        "ask": "灵活就业人员怎么交养老保险|失业保险金怎么申领|职称评审什么时候申报|退休手续怎么办理|社保卡丢了怎么补办",
        "idea": "建立农民工工资支付预警|在工业园区设劳动维权服务点|社保业务可以在乡镇办理"},
    "市医保局": {
        "who": "医保局|医保经办窗口",
        "issue": "住院报销比例比规定的低|异地就医备案办了还是不能直接结算|医保卡被人冒用刷药|诊所用医保卡套取药品|门诊慢特病待遇申请被退回|医保个人账户余额不对",
        "ask": "城乡居民医保怎么缴费|异地就医备案怎么办理|门诊慢特病怎么申请|医保报销需要哪些材料|新生儿医保参保怎么办",
        "idea": "村卫生室开通医保刷卡|医保报销结果短信通知|异地就医备案推行网上一次办"},
    "市税务局": {
        "who": "税务局办税服务厅|税务干部",
        "issue": "个税汇算清缴退税半年没到账|电子税务局开不了发票|办税服务厅排队时间太长|卖房被多收了税款|商户开发票要多收钱",
        "ask": "个人所得税年度汇算怎么办|小规模纳税人增值税怎么申报|电子发票怎么开具|灵活就业人员社保费怎么在税务缴纳|二手房交易要交哪些税",
        "idea": "办税服务厅增加自助办税终端|个税汇算提供上门辅导|对小微企业开展税收优惠政策宣讲"},
    "公积金耒阳管理部": {
        "who": "公积金管理部|公积金窗口",
        "issue": "公积金提取申请一个月没有到账|单位不给职工缴公积金|公积金贷款审批太慢耽误买房|离职后公积金账户封存提不出来|公积金缴存基数算错了",
        "ask": "租房提取公积金需要什么材料|公积金贷款最高能贷多少|离职后公积金怎么提取|异地公积金怎么转移到耒阳|公积金缴存证明在哪里打印",
        "idea": "公积金提取全部实现网上办理|灵活就业人员也能缴纳公积金|公积金贷款审批时限缩短"},
    "人民银行耒阳支行": {
        "who": "人民银行耒阳支行|人行征信查询点",
        "issue": "超市拒收现金只让扫码|银行不给兑换残损人民币|征信报告上有不是我办的贷款|银行柜台收到了假币|银行强制搭售理财保险",
        "ask": "个人征信报告在哪里打印|征信异议怎么申请|残损人民币怎么兑换|收到假币怎么处理|金融消费纠纷向哪里投诉",
        "idea": "在乡镇增加征信查询自助机|加强对拒收现金的检查|开展防范非法集资宣传"},
    "市财政局": {
        "who": "市财政局|财政所",
        "issue": "惠民惠农一卡通补贴少发了|政府采购项目评标不公平|财政补助资金拨付拖延|非税收入票据开错了无法报销",
        "ask": "惠民惠农补贴发放标准在哪里查|政府采购的信息在哪里公告|财政票据电子版怎么查验|一卡通补贴没到账找谁",
        "idea": "惠农补贴发放明细在村里公开|政府采购项目结果全部公开|财政补贴资金直达个人账户"},
    "市科工信局": {
        "who": "科工信局|科工信局企业服务股",
        "issue": "高新技术企业认定奖励迟迟没发|工业企业技改补贴申报系统无法提交|承诺的专精特新企业奖励没有兑现|小区附近建5G基站担心辐射|中小企业扶持资金分配不透明",
        "ask": "高新技术企业认定需要哪些条件|科技型中小企业评价怎么申请|专精特新企业申报时间是什么时候|工业企业技术改造有什么补贴",
        "idea": "为中小企业举办科技政策宣讲|扶持资金评审结果公开公示|乡镇增加5G信号覆盖"},
    "市城管局": {
        "who": "城管执法队员|环卫工人|城管局",
        "issue": "夜宵摊占道经营油烟大|有人违章搭建阳台|垃圾桶满了几天没人清运|路灯坏了一个多月|人行道上井盖缺失|渣土车沿路撒漏|共享电动车乱停挡住人行道",
        "ask": "门面招牌设置需要审批吗|建筑垃圾怎么清运|临时占道摆摊需要办什么手续|路灯不亮找谁维修",
        "idea": "增设公共厕所|在夜市集中规划摊位|增加垃圾分类投放点|人行道增加隔离桩"},
    "国网耒阳市供电公司": {
        "who": "供电公司抢修师傅|供电所",
        "issue": "停电一整天也没有通知|电压不稳家里电器烧坏了|电费突然比平时多了几倍|电线杆倾斜随时要倒|电线从屋顶穿过很危险|新房申请装电表一个月没装",
        "ask": "新装电表需要什么材料|电费怎么在网上缴纳|计划停电的通知在哪里看|一户多人口电价怎么申请|阶梯电价怎么计算",
        "idea": "停电提前短信通知用户|农村电网改造扩容|增加充电桩"},
    "市民政局": {
        "who": "民政局|婚姻登记处|养老院",
        "issue": "家里困难申请低保被拒|高龄津贴停发了|养老院护理员打骂老人|婚姻登记处要求提供户口本原件以外的证明|殡仪馆收费过高|临时救助申请没人受理",
        "ask": "低保申请需要什么条件|结婚登记需要带什么|离婚冷静期怎么算|高龄津贴怎么领取|特困人员供养怎么申请",
        "idea": "社区增设老年食堂|殡葬服务收费公开透明|婚姻登记处周末开放"},
    "市卫健局": {
        "who": "卫健局|医院医生|乡镇卫生院",
        "issue": "医院医生态度恶劣|诊所无证行医|医院过度检查乱收费|卫生院没有值班医生|出生医学证明办理一直拖着|疫苗接种点排队太久",
        "ask": "出生医学证明怎么补办|计划生育奖励扶助怎么申请|疫苗接种在哪里预约|医疗纠纷怎么申请鉴定|家庭医生签约怎么办理",
        "idea": "乡镇卫生院增加儿科医生|医院增加夜间门诊|推广家庭医生签约服务"},
    "市教育局": {
        "who": "教育局|学校老师|校长",
        "issue": "孩子在户籍所在学区却没有学位|学校乱收资料费|校外培训机构跑路不退费|老师体罚学生|学校食堂饭菜质量差|校车超载",
        "ask": "小学一年级入学报名需要什么材料|学区划分在哪里查|转学手续怎么办|助学金怎么申请|幼儿园补贴标准",
        "idea": "增加公办幼儿园学位|学校放学后开展课后服务|学校门口设置家长接送区"},
    "市交通运输局": {
        "who": "交通运输局|公交公司司机|出租车司机",
        "issue": "出租车司机拒载绕路|公交车经常不按时发班|客运班车超载|农村公路坑洼多年没修|网约车乱收费|超载货车压坏村道",
        "ask": "公交线路怎么查询|出租车投诉电话是多少|道路运输许可证怎么办|网约车驾驶员证怎么考",
        "idea": "开通到乡镇的公交线路|在学校附近增设公交站|延长末班车时间"},
    "市水利局": {
        "who": "水利局|水利站",
        "issue": "灌溉渠道堵塞农田放不进水|山塘堤坝漏水有垮塌危险|河道被人乱挖乱采砂|农村自来水管道老化停水|防汛物资不到位|水库放水淹了下游农田",
        "ask": "农村饮水安全工程怎么申请|山塘整修有没有补贴|河道采砂许可怎么办理|取水许可证怎么申请",
        "idea": "汛期前清理河道|小型水库安装监测设备|修缮农田水利渠道"},
    "市农业农村局": {
        "who": "农业农村局|农技站",
        "issue": "买到假种子秧苗全死了|农药店卖假农药|耕地地力保护补贴没发到位|病死猪被随意丢弃|有人电鱼|农机购置补贴申请一直没批",
        "ask": "种粮补贴发放标准是多少|农机购置补贴怎么申请|高标准农田建设怎么申报|家庭农场怎么认定|土地流转合同去哪里备案",
        "idea": "开展农技培训下乡|加强农资市场检查|完善高标准农田配套设施"},
    "生态环境耒阳分局": {
        "who": "生态环境分局|环保执法人员",
        "issue": "工厂晚上偷排废气刺鼻难闻|养殖场污水直接排进河里|砂石场粉尘污染严重|工厂夜间机器轰鸣|有人焚烧垃圾和废旧轮胎|河水发黑发臭",
        "ask": "建设项目环评怎么办理|排污许可证怎么申请|企业环境信用评价怎么查询|环境污染举报有没有奖励",
        "idea": "在工业园区安装空气监测点|公开企业排污监测数据|加强对养殖场的监管"},
    "市文旅广体局": {
        "who": "文旅广体局|体育馆|图书馆",
        "issue": "网吧接纳未成年人上网|KTV营业到凌晨噪音扰民|景区门票乱涨价|旅行社强制购物|体育馆免费开放时间不执行|文物保护单位被破坏",
        "ask": "图书馆开放时间|体育场馆免费开放时间|旅行社经营许可证怎么办|文艺演出审批怎么办|景区门票优惠政策",
        "idea": "增加全民健身设施|图书馆延长开放时间|建设城市绿道"},
    "市应急管理局": {
        "who": "应急管理局|安监人员",
        "issue": "小作坊非法生产烟花爆竹|煤矿违规开采存在安全隐患|加油站旁边堆放危险化学品|工厂员工没有安全培训|受灾后救助物资没发到户",
        "ask": "安全生产许可证怎么办理|受灾群众救助怎么申请|烟花爆竹经营许可怎么办|企业安全生产培训在哪里参加",
        "idea": "开展安全生产隐患排查|在社区设置应急避难场所|加强防灾减灾宣传"},
    "市退役军人事务局": {
        "who": "退役军人事务局|退役军人服务站",
        "issue": "退役士兵安置工作一直没落实|优抚金发放不及时|光荣牌还没有挂|伤残军人抚恤金标准不对|退役军人服务站没人值班",
        "ask": "退役军人优待证怎么申领|退役士兵自主就业补助怎么算|烈士褒扬金怎么申请|参战老兵的补助在哪领",
        "idea": "为退役军人提供就业培训|乡镇退役军人服务站配齐人员|节日走访慰问优抚对象"},
    "市林业局": {
        "who": "林业局|林业站",
        "issue": "有人在山上乱砍滥伐|林权纠纷多年无人调处|有人猎捕野生动物在饭店出售|山上有人烧荒引发火灾隐患|生态公益林补偿款没发",
        "ask": "林木采伐许可证怎么办理|林权证怎么办理|生态公益林补偿标准是多少|野生动物伤人怎么赔偿",
        "idea": "增加护林员巡山频次|在山口设置防火宣传牌|开展植树造林活动"},
    "市商务局": {
        "who": "商务局|商务局市场股",
        "issue": "健身房办预付卡后关门跑路|商场促销先涨价后打折|加油站油品质量有问题|家电以旧换新补贴没有兑现|废品回收站无证经营",
        "ask": "单用途预付卡的备案怎么查询|外贸企业出口退税政策|家电以旧换新补贴怎么领|成品油零售经营资格怎么申请",
        "idea": "规范单用途预付卡管理|乡镇建设商贸中心|支持农村电商发展"},
    "市统计局": {
        "who": "统计局|统计调查员",
        "issue": "自称统计调查员的人上门索要个人信息|企业统计报表系统填报出错|统计数据与实际严重不符|有单位虚报统计数据",
        "ask": "统计数据在哪里查询|企业统计报表怎么报送|统计调查员的身份怎么核实|经济普查需要企业提供什么",
        "idea": "统计数据及时公开|简化企业统计报表|统计调查员统一佩戴证件"},
    "市审计局": {
        "who": "审计局|审计组",
        "issue": "村集体资金使用不透明需要审计|专项资金被挪用|工程结算审计拖了一年多|审计发现的问题没有整改",
        "ask": "审计结果在哪里公开|村级财务审计怎么申请|工程结算审计需要多长时间|经济责任审计包括哪些内容",
        "idea": "审计结果向社会公开|加强对民生资金的审计|开展村级财务审计"},
    "市档案馆": {
        "who": "档案馆|档案馆查档窗口",
        "issue": "查档窗口工作人员推诿不给查|婚姻档案查不到|知青档案丢失|档案馆查档收费",
        "ask": "查阅婚姻档案需要什么材料|招工档案在哪里查|知青档案怎么查|档案馆开放时间",
        "idea": "档案查询开通网上预约|档案馆增加电子档案查询|简化查档手续"},
    "市消防救援大队": {
        "who": "消防救援大队|消防员",
        "issue": "小区消防通道被车辆堵塞|电动车在楼道里充电|商场消防栓没水|灭火器过期没人更换|KTV安全出口被锁",
        "ask": "消防安全检查怎么申请|公众聚集场所开业前消防检查怎么办|灭火器在哪里买|消防设施维护保养找谁",
        "idea": "小区建设电动车集中充电棚|开展消防安全进社区宣传|清理消防通道"},
    "市不动产登记中心": {
        "who": "不动产登记中心|不动产登记窗口",
        "issue": "房产证办了半年还没拿到|不动产登记窗口要求提供重复材料|二手房过户手续繁琐|抵押登记办理拖延|不动产权证上的面积不对",
        "ask": "房产证怎么办理|二手房过户需要什么材料|不动产权证遗失怎么补办|房屋抵押登记怎么办|查封登记怎么查询",
        "idea": "不动产登记实行一窗受理|开发商协助办理不动产权证|延长不动产登记窗口办理时间"},
    "市残联": {
        "who": "残联|残疾人服务中心",
        "issue": "残疾证申请被拒|残疾人两项补贴停发|辅助器具申请一直没发|残疾儿童康复补助没有到位|公共场所没有无障碍通道",
        "ask": "残疾证怎么办理|残疾人补贴标准是多少|残疾人就业有什么扶持|辅助器具怎么申请",
        "idea": "公共场所增加无障碍设施|开展残疾人技能培训|残疾人服务进社区"},
    "市气象局": {
        "who": "气象局|气象台",
        "issue": "天气预报不准影响农事|防雷检测收费过高|人工增雨作业没有提前告知|气象灾害预警信息没发到村里",
        "ask": "防雷检测怎么申请|气象灾害预警在哪里查|施放气球需要审批吗|历史天气资料怎么查询",
        "idea": "预警信息通过村村响广播发布|增加农业气象服务|公开防雷检测收费标准"},
    "市人防办": {
        "who": "人防办|人民防空办公室",
        "issue": "小区地下人防车库被开发商出售|防空警报试鸣没有提前通知|人防工程被占用|人防易地建设费收费不合理",
        "ask": "防空警报试鸣时间|人防工程怎么报建|人防车位能不能买卖|人防易地建设费标准",
        "idea": "开放人防工程作为避难场所|加强人防知识宣传|公布人防工程位置"},
    "市烟草专卖局": {
        "who": "烟草专卖局|烟草专卖执法人员",
        "issue": "小卖部卖假烟|无证卖烟|商店卖烟给未成年人|网上私售香烟",
        "ask": "烟草专卖零售许可证怎么办|烟草零售许可证延续怎么办|怎么辨别假烟",
        "idea": "加强校园周边卖烟检查|公开烟草许可办理流程|打击假烟销售"},
    "市委统战部（民族宗教）": {
        "who": "统战部|民族宗教事务工作人员",
        "issue": "有人私设宗教聚会点|有人在村里传播非法宗教|寺庙违规收取香火钱|少数民族身份更改申请一直没办",
        "ask": "宗教活动场所登记怎么办|少数民族成分怎么变更|华侨回乡投资有什么政策|台胞在耒阳办事找哪里",
        "idea": "加强宗教活动场所安全管理|开展民族团结宣传|为归侨侨眷提供服务"},
    "市供水企业": {
        "who": "自来水公司|供水抢修人员",
        "issue": "停水一天没有通知|自来水浑浊发黄|水压太低楼上没水|水表走得特别快|路边水管爆裂漏水|水费收费不合理",
        "ask": "自来水报装怎么办|水费怎么缴纳|停水通知在哪里看|水表坏了怎么换",
        "idea": "停水提前通知|更换老旧供水管网|公开水质检测结果"},
    "市燃气企业": {
        "who": "燃气公司|燃气安检员",
        "issue": "闻到燃气泄漏的味道|燃气开户通气拖延|燃气费收费不合理|燃气表计量不准|燃气安检员上门推销产品",
        "ask": "燃气开户需要什么材料|燃气费怎么缴|燃气安检多久一次|燃气表坏了怎么办",
        "idea": "燃气安检提前预约|老旧小区燃气管道改造|开展燃气安全宣传"},
    "通信运营企业": {
        "who": "营业厅|电信公司|移动公司",
        "issue": "手机信号差打不了电话|宽带经常断网|手机话费被乱扣|骚扰电话不断|携号转网被阻拦|宽带报装一个月没装",
        "ask": "宽带怎么报装|携号转网怎么办理|话费怎么查询|手机卡实名认证怎么办",
        "idea": "农村增加基站覆盖|宽带提速降费|营业厅增加适老化服务"},
    "广电网络企业": {
        "who": "广电网络公司|广电维修人员",
        "issue": "有线电视没有信号|机顶盒坏了没人修|有线电视收视费乱收|有线电视节目少",
        "ask": "有线电视怎么开户|机顶盒怎么换|收视费怎么缴纳|直播卫星怎么安装",
        "idea": "有线电视增加频道|提供上门维修服务|降低收视费"},
}

# What a township government or street office handles itself (the text always names it).
TOWNSHIP_MATTERS = {
    "issue": "村里的水泥路修了一半就停工了|村务财务半年没有公开|评低保时村干部优亲厚友|村里垃圾堆成山没人清理|邻居宅基地建房越界多次调解不成|集镇赶集日摊位占道堵车|村里的危房改造名额分配不公|村集体的山林被私自承包|村里的路灯坏了没人修|防返贫监测户帮扶措施没落实",
    "ask": "村里的红白喜事有什么规定|农村危房改造怎么申请|村里的公益岗位怎么报名|村级换届选举什么时候|乡镇便民服务中心能办什么事",
    "idea": "在村里建一个文化广场|集镇建设农贸市场|村道加装路灯|村里建垃圾分类收集点|在村里开设老年人日间照料中心",
    "who": "乡镇干部|驻村干部|便民服务中心工作人员|网格员",
}

OPEN = ["", "", "你好，", "您好，", "麻烦问一下，", "你好，我是{place}的居民，", "我想反映个事情，",
        "打扰了，", "喂，你好，"]
ANGRY = ["，都反映好几次了", "，到现在都没人管", "，希望尽快处理", "，请相关部门管一管",
         "，严重影响了我们的生活", "，实在受不了了", "，请给个说法", "，希望有关部门重视", ""]
DURATION = ["已经一个星期了", "快一个月了", "好几天了", "从上个月开始", "这两天", "最近一段时间"]
HELP = ["不知道该找谁", "请帮忙协调一下", "能不能派人来看看", "请帮我们解决", "急需帮助"]
PRAISE_REASON = ["办事效率很高", "服务很热情", "耐心给我解答", "当天就帮我解决了问题",
                 "不厌其烦地帮我", "加班帮我们处理", "态度特别好"]
SPOTS = ["小区", "家门口", "菜市场附近", "学校附近", "村里", "街上", "路口", ""]


def templates(kind):
    return {
        "complaint": [
            "{open}{place}{spot}{issue}{angry}。",
            "我要投诉，{place}{spot}{issue}，{duration}{angry}。",
            "{place}{spot}{issue}，{duration}{angry}。",
            "投诉{place}{issue}{angry}。",
            "{open}反映一下，{issue}，地点在{place}{spot}{angry}。",
            "{duration}，{place}{spot}{issue}，请{office}处理{angry}。",
        ],
        "help": [
            "{open}{place}{spot}{issue}，{help}。",
            "我家住在{place}，{issue}，{help}。",
            "求助：{place}{issue}，{help}。",
            "{issue}，{help}，我在{place}。",
            "{open}{issue}，{duration}，{help}。",
        ],
        "consult": [
            "{open}请问{ask}？",
            "想咨询一下{ask}。",
            "{open}我想了解{ask}。",
            "咨询：{ask}？",
            "{open}{place}的，想问{ask}？",
            "请问{ask}，需要本人去吗？",
            "{ask}？麻烦告知一下。",
        ],
        "report": [
            "我要举报，{place}{spot}{issue}。",
            "实名举报：{place}{issue}，请保密。",
            "匿名举报，{place}{issue}，请{office}查处。",
            "举报{place}{issue}，{duration}。",
            "{open}我要举报{issue}，在{place}。",
        ],
        "suggestion": [
            "建议{idea}。",
            "{open}我提个建议：{idea}。",
            "希望{idea}，方便群众。",
            "{place}居民建议{idea}。",
            "建议{office}{idea}，{place}这边很需要。",
        ],
        "praise": [
            "表扬{who}，{praise}。",
            "我要表扬{place}的{who}，{praise}，非常感谢！",
            "感谢{who}，{praise}。",
            "{open}想表扬一下{who}，{praise}。",
            "给{who}点个赞，{praise}。",
        ],
    }[kind]


def read_pack():
    with (PACK / "departments.csv").open(encoding="utf-8") as f:
        departments = list(csv.DictReader(f))
    with (PACK / "regions.csv").open(encoding="utf-8") as f:
        regions = list(csv.DictReader(f))
    return departments, regions


def build():
    departments, regions = read_pack()
    rng = random.Random(SEED)  # noqa: S311 (reproducible data, not a secret)
    townships = [r for r in regions if r["level"] in ("street", "town", "township")]
    villages = {}
    for r in regions:
        if r["level"] in ("village", "community"):
            name = r["name"].replace("村委会", "村").replace("居委会", "社区")
            villages.setdefault(r["parent_code"], []).append(name)
    county = [d for d in departments if d["region_code"] == "430481000000"
              and d["short_name"] != "各乡镇人民政府（街道办事处）"]
    missing = [d["short_name"] for d in county if d["short_name"] not in MATTERS]
    if missing:
        raise SystemExit(f"no matters for: {missing}")
    township_departments = {d["region_code"]: d for d in departments
                            if d["kind"] in ("乡镇人民政府", "街道办事处")}

    seen = set()
    rows = []

    def place_for(township_code=None):
        if township_code is None:
            if rng.random() < 0.25:
                return "", ""
            township = rng.choice(townships)
        else:
            township = next(t for t in townships if t["code"] == township_code)
        name = township["name"]
        if rng.random() < 0.5 and villages.get(township["code"]):
            name += rng.choice(villages[township["code"]])
        return name, township["code"]

    def emit(department, matters, count, township_code=None, office=None):
        made = 0
        attempts = 0
        kinds = list(KINDS)
        while made < count and attempts < count * 200:
            attempts += 1
            kind = rng.choices(kinds, weights=KIND_WEIGHTS)[0]
            template = rng.choice(templates(kind))
            place, region_code = place_for(township_code)
            while "{place}" in template and not place:
                place, region_code = place_for(township_code)
            if township_code is not None and "{place}" not in template:
                # A township's own matter is only its own when the caller names the place.
                template = "{place}：" + template
            values = {
                "open": rng.choice(OPEN).format(place=place or "耒阳"),
                "place": place, "spot": rng.choice(SPOTS) if township_code is None else "",
                "issue": rng.choice(matters["issue"].split("|")),
                "ask": rng.choice(matters["ask"].split("|")),
                "idea": rng.choice(matters["idea"].split("|")),
                "who": rng.choice(matters["who"].split("|")),
                "office": office or matters["who"].split("|")[0],
                "angry": rng.choice(ANGRY), "duration": rng.choice(DURATION),
                "help": rng.choice(HELP), "praise": rng.choice(PRAISE_REASON),
            }
            text = template.format(**values).replace("，，", "，").strip("，")
            if "{place}" not in template:
                region_code = ""
            if text in seen:
                continue
            seen.add(text)
            rows.append({"text": text, "department": department, "kind": kind,
                         "category_code": "", "region_code": region_code,
                         "illustrative": "true"})
            made += 1
        if made < count:
            raise SystemExit(f"{department}: only {made} distinct texts of {count}")

    for d in county:
        emit(d["name"], MATTERS[d["short_name"]], PER_DEPARTMENT)
    for code, d in sorted(township_departments.items()):
        office = "街道办" if d["kind"] == "街道办事处" else d["short_name"][-1] + "政府"
        emit(d["name"], TOWNSHIP_MATTERS, PER_TOWNSHIP, township_code=code, office=office)
    return rows


def render(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["text", "department", "kind", "category_code",
                                             "region_code", "illustrative"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main():
    rows = build()
    text = render(rows)
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is not what the generator writes: run it again")
            return 1
        print(f"{OUT}: up to date ({len(rows)} rows)")
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    per = Counter(r["department"] for r in rows)
    print(f"wrote {OUT}: {len(rows)} rows, {len(per)} departments, "
          f"at least {min(per.values())} each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
