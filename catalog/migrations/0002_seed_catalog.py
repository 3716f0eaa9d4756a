"""Seed the catalog: categories, trading methods, the trading catalog (A3), every numeric
statutory rule of docs' statutory-rules reference (J4), and example fee standards (I1).

Idempotent (update_or_create on each row's code). The data is written out here, not
imported from the app, so that this migration means the same thing forever; later
corrections are data changes in the admin (with history) or new migrations.

Rows marked "(check)" in the reference carry needs_confirmation=True: the number or the
article is to be confirmed against the official text before it is relied on.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

CATEGORIES = [
    # code, name, parent, letter, alternative letters, department, ordering, description
    ("engineering", "工程建设项目招标投标", None, "A", "", "development_reform", 10,
     "房屋建筑和市政、交通、水利水电、机电设备等工程建设项目的招标投标"),
    ("land_mining", "土地使用权和矿业权出让", None, "E", "", "natural_resources", 20,
     "国有建设用地使用权、矿业权出让"),
    ("land", "国有建设用地使用权出让", "land_mining", "E", "", "natural_resources", 21,
     "国有建设用地使用权招标、拍卖、挂牌及协议出让"),
    ("mining", "矿业权出让", "land_mining", "E", "", "natural_resources", 22,
     "探矿权、采矿权出让"),
    ("equity", "国有产权交易", None, "D", "", "state_assets", 30,
     "企业国有产权转让、企业增资、企业资产转让"),
    ("procurement", "政府采购", None, "B", "C", "finance", 40,
     "货物、工程和服务的政府采购（含药品采购）；货物B，服务C"),
]

METHODS = [
    # code, Chinese name, categories, ordering
    ("open_tender", "公开招标", ["engineering", "procurement"], 10),
    ("invited_tender", "邀请招标", ["engineering", "procurement"], 20),
    ("competitive_negotiation", "竞争性谈判", ["procurement"], 30),
    ("competitive_consultation", "竞争性磋商", ["procurement"], 40),
    ("inquiry", "询价", ["procurement"], 50),
    ("single_source", "单一来源采购", ["procurement"], 60),
    ("tender", "招标", ["land_mining", "equity"], 70),
    ("auction", "拍卖", ["land_mining", "equity"], 80),
    ("listing", "挂牌", ["land_mining", "equity"], 90),
    ("agreement_transfer", "协议方式", ["land_mining", "equity"], 100),
    ("online_bidding", "网络竞价", ["equity"], 110),
]

ORDER_16 = "16号令 第5条"
MUST_TENDER = [
    # subject kind, Chinese subject, minimum
    ("construction", "施工单项合同估算价400万元人民币以上", Decimal("4000000")),
    ("equipment_materials", "重要设备、材料等货物的采购，单项合同估算价200万元人民币以上",
     Decimal("2000000")),
    ("survey_design_supervision", "勘察、设计、监理等服务的采购，单项合同估算价100万元人民币以上",
     Decimal("1000000")),
]
FUNDING_PREFIX = {
    "state_owned": "全部或者部分使用国有资金投资的项目：",
    "state_financing": "使用国家融资的项目：",
}


def catalog_entries():
    entries = []
    order = 0
    for kind, subject, minimum in MUST_TENDER:
        for funding, prefix in FUNDING_PREFIX.items():
            order += 1
            entries.append(dict(
                code=f"engineering.{kind}.{funding}", category="engineering", subject_kind=kind,
                subject=prefix + subject, funding_source=funding, minimum_amount=minimum,
                mandatory=True, required_method=None, source=ORDER_16, needs_confirmation=False,
                ordering=order,
            ))
    entries += [
        dict(code="engineering.voluntary", category="engineering", subject_kind="",
             subject="不属于依法必须招标的工程建设项目（含民间投资项目），可自愿进入平台交易",
             funding_source="any", minimum_amount=None, mandatory=False, required_method=None,
             source="国办发〔2015〕63号", needs_confirmation=False, ordering=90),
        dict(code="procurement.open_tender_threshold", category="procurement",
             subject_kind="goods_services",
             subject="使用财政性资金采购货物或服务，单项采购金额200万元以上的，应当公开招标"
                     "（中央预算单位标准；地方由省级人民政府确定，常见为400万元）",
             funding_source="fiscal", minimum_amount=Decimal("2000000"), mandatory=True,
             required_method="open_tender", source="国办发〔2019〕55号",
             needs_confirmation=True, ordering=10),
        dict(code="procurement.voluntary", category="procurement", subject_kind="",
             subject="未达到公开招标数额标准的采购项目及其他采购项目，可自愿进入平台交易",
             funding_source="any", minimum_amount=None, mandatory=False, required_method=None,
             source="国办发〔2015〕63号", needs_confirmation=False, ordering=90),
        dict(code="land.state_land_use_right", category="land", subject_kind="land_use_right",
             subject="国有建设用地使用权出让（招标、拍卖、挂牌、协议方式）",
             funding_source="any", minimum_amount=None, mandatory=True, required_method=None,
             source="国办发〔2015〕63号; 39号令(国土)", needs_confirmation=False, ordering=10),
        dict(code="mining.mining_right", category="mining", subject_kind="mining_right",
             subject="探矿权、采矿权出让", funding_source="any", minimum_amount=None,
             mandatory=True, required_method=None, source="国办发〔2015〕63号",
             needs_confirmation=False, ordering=10),
        dict(code="equity.state_equity", category="equity", subject_kind="state_equity",
             subject="企业国有产权转让、企业增资、企业资产转让", funding_source="state_owned",
             minimum_amount=None, mandatory=True, required_method=None,
             source="32号令; 国办发〔2015〕63号", needs_confirmation=False, ordering=10),
        dict(code="equity.voluntary", category="equity", subject_kind="",
             subject="非国有产权及其他权益，可自愿进入平台交易", funding_source="any",
             minimum_amount=None, mandatory=False, required_method=None,
             source="国办发〔2015〕63号", needs_confirmation=False, ordering=90),
    ]
    return entries


def rule(code, category, method, kind, start, end, value, unit, description, source, *,
         check=False, denominator=1, condition=None, valid_from=None):
    condition_field, condition_min = condition or ("", None)
    return dict(
        code=code, category=category, method=method, kind=kind, start_field=start,
        end_field=end, value=Decimal(value), value_denominator=denominator, unit=unit,
        condition_field=condition_field, condition_min_value=condition_min,
        description=description, source=source, needs_confirmation=check,
        valid_from=valid_from,
    )


CD, WD, MONTHS, YEARS = "calendar_days", "working_days", "months", "years"
PCT, RATIO, COUNT, YUAN = "percent", "ratio", "count", "yuan"
TEN_MILLION = Decimal("10000000")


def engineering_rules():
    e = "engineering"
    return [
        rule("engineering.documents_sale_period", e, None, "min_interval",
             "documents_sale_starts_at", "documents_sale_ends_at", 5, CD,
             "招标文件或者资格预审文件的发售期不得少于5日", "实施条例 第16条"),
        rule("engineering.documents_to_deadline", e, None, "min_interval",
             "documents_issued_at", "bid_deadline", 20, CD,
             "自招标文件开始发出之日起至投标人提交投标文件截止之日止，最短不得少于20日",
             "招标投标法 第24条"),
        rule("engineering.prequalification_application_period", e, None, "min_interval",
             "prequalification_sale_ends_at", "prequalification_deadline", 5, CD,
             "提交资格预审申请文件的时间，自资格预审文件停止发售之日起不得少于5日",
             "实施条例 第17条"),
        rule("engineering.clarification_before_deadline", e, None, "min_interval",
             "clarification_issued_at", "bid_deadline", 15, CD,
             "澄清或者修改可能影响投标文件编制的，应当在投标截止时间至少15日前书面通知；"
             "不足15日的，应当顺延提交投标文件的截止时间",
             "招标投标法 第23条; 实施条例 第21条"),
        rule("engineering.prequalification_clarification_before_deadline", e, None,
             "min_interval", "prequalification_clarification_issued_at",
             "prequalification_deadline", 3, CD,
             "澄清或者修改可能影响资格预审申请文件编制的，应当在提交资格预审申请文件截止时间"
             "至少3日前通知；不足3日的，应当顺延截止时间", "实施条例 第21条"),
        rule("engineering.documents_objection_before_deadline", e, None, "min_interval",
             "documents_objection_raised_at", "bid_deadline", 10, CD,
             "对招标文件有异议的，应当在投标截止时间10日前提出", "实施条例 第22条"),
        rule("engineering.documents_objection_answer", e, None, "max_interval",
             "documents_objection_raised_at", "documents_objection_answered_at", 3, CD,
             "招标人应当自收到异议之日起3日内作出答复；作出答复前，应当暂停招标投标活动",
             "实施条例 第22条"),
        rule("engineering.prequalification_objection_before_deadline", e, None,
             "min_interval", "prequalification_objection_raised_at",
             "prequalification_deadline", 2, CD,
             "对资格预审文件有异议的，应当在提交资格预审申请文件截止时间2日前提出",
             "实施条例 第22条"),
        rule("engineering.invited_tender.min_invitations", e, "invited_tender", "min_count",
             "invited_count", "", 3, COUNT,
             "邀请招标的，应当向3个以上具备承担招标项目能力、资信良好的特定法人或者其他组织"
             "发出投标邀请书", "招标投标法 第17条"),
        rule("engineering.withdrawn_bid_security_refund", e, None, "max_interval",
             "bid_withdrawn_at", "withdrawn_bid_security_refunded_at", 5, CD,
             "投标人撤回已提交的投标文件的，招标人应当自收到投标人书面撤回通知之日起5日内"
             "退还已收取的投标保证金", "实施条例 第35条"),
        rule("engineering.bid_security_cap", e, None, "max_ratio",
             "bid_security_amount", "estimate_amount", 2, PCT,
             "投标保证金不得超过招标项目估算价的2%", "实施条例 第26条"),
        rule("engineering.min_bidders", e, None, "min_count", "bids_received", "", 3, COUNT,
             "投标人少于3个的，不得开标；招标人应当依法重新招标",
             "招标投标法 第28条; 实施条例 第44条"),
        rule("engineering.committee_size", e, None, "committee_size", "committee_size", "",
             5, COUNT, "评标委员会成员人数为5人以上单数", "招标投标法 第37条"),
        rule("engineering.committee_expert_share", e, None, "min_share",
             "committee_experts", "committee_size", 2, RATIO,
             "评标委员会中技术、经济等方面的专家不得少于成员总数的三分之二",
             "招标投标法 第37条", denominator=3),
        rule("engineering.max_candidates", e, None, "max_count", "candidates_count", "", 3,
             COUNT, "评标委员会推荐的中标候选人应当不超过3个，并标明排序",
             "实施条例 第53条"),
        rule("engineering.candidates_publication", e, None, "max_interval",
             "evaluation_report_received_at", "candidates_published_at", 3, CD,
             "依法必须进行招标的项目，招标人应当自收到评标报告之日起3日内公示中标候选人",
             "实施条例 第54条"),
        rule("engineering.candidates_publicity_period", e, None, "min_interval",
             "candidates_published_at", "candidates_publicity_ends_at", 3, CD,
             "中标候选人公示期不得少于3日", "实施条例 第54条"),
        rule("engineering.evaluation_objection_answer", e, None, "max_interval",
             "evaluation_objection_raised_at", "evaluation_objection_answered_at", 3, CD,
             "对评标结果有异议的，应当在中标候选人公示期间提出；招标人应当自收到异议之日起"
             "3日内作出答复", "实施条例 第54条"),
        rule("engineering.performance_security_cap", e, None, "max_ratio",
             "performance_security_amount", "contract_amount", 10, PCT,
             "履约保证金不得超过中标合同金额的10%", "实施条例 第58条"),
        rule("engineering.complaint_filing", e, None, "max_interval",
             "complaint_grounds_known_at", "complaint_filed_at", 10, CD,
             "投标人或者其他利害关系人自知道或者应当知道之日起10日内向有关行政监督部门投诉",
             "实施条例 第60条"),
        rule("engineering.complaint_acceptance", e, None, "max_interval",
             "complaint_received_at", "complaint_acceptance_decided_at", 3, WD,
             "行政监督部门应当自收到投诉之日起3个工作日内决定是否受理投诉",
             "实施条例 第61条"),
        rule("engineering.complaint_decision", e, None, "max_interval",
             "complaint_accepted_at", "complaint_decided_at", 30, WD,
             "行政监督部门应当自受理投诉之日起30个工作日内作出书面处理决定；需要检验、检测、"
             "鉴定、专家评审的，所需时间不计算在内", "实施条例 第61条"),
        rule("engineering.contract_signing", e, None, "max_interval",
             "award_notice_issued_at", "contract_signed_at", 30, CD,
             "招标人和中标人应当自中标通知书发出之日起30日内订立书面合同",
             "招标投标法 第46条"),
        rule("engineering.bid_security_return", e, None, "max_interval",
             "contract_signed_at", "bid_securities_returned_at", 5, CD,
             "招标人最迟应当在书面合同签订后5日内向中标人和未中标的投标人退还投标保证金"
             "及银行同期存款利息", "实施条例 第57条"),
        rule("engineering.tender_report", e, None, "max_interval",
             "winner_determined_at", "tender_report_submitted_at", 15, CD,
             "依法必须进行招标的项目，招标人应当自确定中标人之日起15日内向有关行政监督部门"
             "提交招标投标情况的书面报告", "招标投标法 第47条"),
        rule("engineering.must_tender.construction", e, None, "threshold",
             "estimate_amount", "", 4000000, YUAN,
             "依法必须招标的项目：施工单项合同估算价在400万元人民币以上", ORDER_16),
        rule("engineering.must_tender.equipment_materials", e, None, "threshold",
             "estimate_amount", "", 2000000, YUAN,
             "依法必须招标的项目：重要设备、材料等货物的采购，单项合同估算价在200万元人民币以上",
             ORDER_16),
        rule("engineering.must_tender.survey_design_supervision", e, None, "threshold",
             "estimate_amount", "", 1000000, YUAN,
             "依法必须招标的项目：勘察、设计、监理等服务的采购，单项合同估算价在100万元人民币以上",
             ORDER_16),
    ]


def procurement_rules():
    p = "procurement"
    rules = []
    for method in ("open_tender", "invited_tender"):
        prefix = f"procurement.{method}"
        rules += [
            rule(f"{prefix}.documents_to_deadline", p, method, "min_interval",
                 "documents_issued_at", "bid_deadline", 20, CD,
                 "货物和服务项目实行招标方式采购的，自招标文件开始发出之日起至投标人提交投标"
                 "文件截止之日止，不得少于20日", "采购法 第35条; 87号令 第18条", check=True),
            rule(f"{prefix}.documents_available", p, method, "min_interval",
                 "documents_sale_starts_at", "documents_sale_ends_at", 5, WD,
                 "招标文件的提供期限自开始之日起不得少于5个工作日", "87号令 第18条",
                 check=True),
            rule(f"{prefix}.clarification_before_deadline", p, method, "min_interval",
                 "clarification_issued_at", "bid_deadline", 15, CD,
                 "澄清或者修改的内容可能影响投标文件编制的，应当在投标截止时间至少15日前书面"
                 "通知；不足15日的，应当顺延提交投标文件的截止时间", "87号令 第27条"),
            rule(f"{prefix}.committee_size", p, method, "committee_size", "committee_size", "",
                 5, COUNT, "评标委员会由采购人代表和评审专家组成，成员人数应当为5人以上单数",
                 "87号令 第47条"),
            rule(f"{prefix}.committee_expert_share", p, method, "min_share",
                 "committee_experts", "committee_size", 2, RATIO,
                 "评标委员会中评审专家不得少于成员总数的三分之二", "87号令 第47条",
                 denominator=3),
            rule(f"{prefix}.committee_size_large", p, method, "committee_size",
                 "committee_size", "", 7, COUNT,
                 "采购预算金额在1000万元以上、技术复杂或者社会影响较大的，评标委员会成员人数"
                 "应当为7人以上单数（技术复杂、社会影响较大由采购人判断）", "87号令 第47条",
                 condition=("budget_amount", TEN_MILLION)),
            rule(f"{prefix}.evaluation_report_delivery", p, method, "max_interval",
                 "evaluation_completed_at", "evaluation_report_sent_at", 2, WD,
                 "采购代理机构应当在评标结束后2个工作日内将评标报告送采购人",
                 "87号令 第68条"),
            rule(f"{prefix}.award_decision", p, method, "max_interval",
                 "evaluation_report_received_at", "award_decided_at", 5, WD,
                 "采购人应当自收到评标报告之日起5个工作日内，在评标报告确定的中标候选人名单中"
                 "按顺序确定中标人", "87号令 第68条"),
            rule(f"{prefix}.result_publication", p, method, "max_interval",
                 "award_decided_at", "result_published_at", 2, WD,
                 "应当自中标人确定之日起2个工作日内公告中标结果", "87号令 第69条"),
            rule(f"{prefix}.result_publicity_period", p, method, "min_interval",
                 "result_published_at", "result_publicity_ends_at", 1, WD,
                 "中标公告期限为1个工作日", "87号令 第69条"),
        ]
    rules.append(
        rule("procurement.open_tender.announcement_period", p, "open_tender", "min_interval",
             "announcement_published_at", "announcement_ends_at", 5, WD,
             "招标公告、资格预审公告的公告期限为5个工作日", "87号令 第16条"),
    )
    rules += [
        rule("procurement.competitive_negotiation.documents_to_deadline", p,
             "competitive_negotiation", "min_interval", "documents_issued_at",
             "response_deadline", 3, WD,
             "从谈判文件发出之日起至供应商提交首次响应文件截止之日止不得少于3个工作日",
             "74号令 第10条", check=True),
        rule("procurement.inquiry.documents_to_deadline", p, "inquiry", "min_interval",
             "documents_issued_at", "response_deadline", 3, WD,
             "从询价通知书发出之日起至供应商提交响应文件截止之日止不得少于3个工作日",
             "74号令 第10条", check=True),
        rule("procurement.competitive_consultation.documents_to_deadline", p,
             "competitive_consultation", "min_interval", "documents_issued_at",
             "response_deadline", 10, CD,
             "从磋商文件发出之日起至供应商提交首次响应文件截止之日止不得少于10日",
             "214号文 第10条"),
    ]
    for method, panel in (("competitive_negotiation", "谈判小组"), ("inquiry", "询价小组"),
                          ("competitive_consultation", "磋商小组")):
        rules += [
            rule(f"procurement.{method}.panel_size", p, method, "committee_size",
                 "committee_size", "", 3, COUNT,
                 f"{panel}由采购人代表和评审专家共3人以上单数组成", "74号令 第7条",
                 check=True),
            rule(f"procurement.{method}.panel_size_large", p, method, "committee_size",
                 "committee_size", "", 5, COUNT,
                 f"采购预算金额在1000万元以上的，{panel}应当由5人以上单数组成",
                 "74号令 第7条", check=True, condition=("budget_amount", TEN_MILLION)),
        ]
    rules += [
        rule("procurement.single_source.publicity_period", p, "single_source", "min_interval",
             "publicity_starts_at", "publicity_ends_at", 5, WD,
             "单一来源采购拟定供应商的公示期不得少于5个工作日", "采购条例 第38条"),
        rule("procurement.bid_security_cap", p, None, "max_ratio",
             "bid_security_amount", "budget_amount", 2, PCT,
             "投标保证金不得超过采购项目预算金额的2%", "采购条例 第33条"),
        rule("procurement.bid_security_return_unsuccessful", p, None, "max_interval",
             "award_notice_issued_at", "unsuccessful_securities_returned_at", 5, WD,
             "应当自中标通知书发出之日起5个工作日内退还未中标供应商的投标保证金",
             "采购条例 第33条; 87号令 第38条"),
        rule("procurement.bid_security_return_winner", p, None, "max_interval",
             "contract_signed_at", "winner_security_returned_at", 5, WD,
             "应当自政府采购合同签订之日起5个工作日内退还中标供应商的投标保证金",
             "采购条例 第33条; 87号令 第38条"),
        rule("procurement.contract_publication", p, None, "max_interval",
             "contract_signed_at", "contract_published_at", 2, WD,
             "采购人应当自政府采购合同签订之日起2个工作日内，将政府采购合同在指定媒体上公告",
             "采购条例 第50条"),
        rule("procurement.contract_filing", p, None, "max_interval",
             "contract_signed_at", "contract_filed_at", 7, WD,
             "采购人应当自政府采购合同签订之日起7个工作日内，将合同副本报同级政府采购监督"
             "管理部门和有关部门备案", "采购法 第47条", check=True),
        rule("procurement.goods_price_weight", p, None, "min_value",
             "goods_price_weight_percent", "", 30, PCT,
             "采用综合评分法的，货物项目的价格分值占总分值的比重不得低于30%",
             "87号令 第55条"),
        rule("procurement.services_price_weight", p, None, "min_value",
             "services_price_weight_percent", "", 10, PCT,
             "采用综合评分法的，服务项目的价格分值占总分值的比重不得低于10%",
             "87号令 第55条"),
        rule("procurement.supplier_inquiry_answer", p, None, "max_interval",
             "supplier_inquiry_received_at", "supplier_inquiry_answered_at", 3, WD,
             "采购人或者采购代理机构应当在3个工作日内对供应商依法提出的询问作出答复",
             "采购条例 第52条"),
        rule("procurement.suspension_limit", p, None, "max_interval",
             "suspended_at", "resumed_at", 30, CD,
             "处理投诉期间暂停采购活动的，暂停时间最长不得超过30日", "采购法 第57条"),
        rule("procurement.records_retention", p, None, "min_interval",
             "procurement_completed_at", "records_disposed_at", 15, YEARS,
             "采购文件从采购结束之日起至少保存15年", "采购法 第42条"),
        rule("procurement.avoidance_lookback", p, None, "min_interval",
             "relation_with_supplier_ended_at", "procurement_started_at", 3, YEARS,
             "参加采购活动前3年内与供应商存在劳动关系、担任其董事或监事、是其控股股东或实际"
             "控制人，或者有其他利害关系的，应当回避", "采购条例 第9条"),
        rule("procurement.contract_signing", p, None, "max_interval",
             "award_notice_issued_at", "contract_signed_at", 30, CD,
             "采购人与中标、成交供应商应当在中标、成交通知书发出之日起30日内签订政府采购合同",
             "采购法 第46条"),
        rule("procurement.question_filing", p, None, "max_interval",
             "question_grounds_known_at", "question_filed_at", 7, WD,
             "供应商可以在知道或者应知其权益受到损害之日起7个工作日内，以书面形式提出质疑",
             "采购法 第52条"),
        rule("procurement.question_answer", p, None, "max_interval",
             "question_received_at", "question_answered_at", 7, WD,
             "采购人应当在收到供应商的书面质疑后7个工作日内作出答复", "采购法 第53条"),
        rule("procurement.complaint_filing", p, None, "max_interval",
             "question_answer_due_at", "complaint_filed_at", 15, WD,
             "质疑供应商对答复不满意或者未在规定时间内得到答复的，可以在答复期满后15个工作日"
             "内投诉", "采购法 第55条"),
        rule("procurement.complaint_decision", p, None, "max_interval",
             "complaint_received_at", "complaint_decided_at", 30, WD,
             "政府采购监督管理部门应当在收到投诉后30个工作日内作出处理决定",
             "采购法 第56条"),
        rule("procurement.open_tender_threshold", p, None, "threshold",
             "budget_amount", "", 2000000, YUAN,
             "货物和服务项目单项采购金额达到200万元以上的，应当公开招标（中央预算单位；"
             "地方由省级人民政府确定，常见为400万元）", "国办发〔2019〕55号", check=True),
    ]
    return rules


def land_rules():
    land = "land"
    rules = [
        rule(f"land.{method}.announcement_before_start", land, method, "min_interval",
             "announcement_published_at", start, 20, CD,
             "出让人应当至少在投标、拍卖或者挂牌开始日前20日发布招标、拍卖或者挂牌公告",
             "39号令(国土) 第9条")
        for method, start in (("tender", "trading_starts_at"), ("auction", "trading_starts_at"),
                              ("listing", "listing_starts_at"))
    ]
    rules += [
        rule("land.listing.listing_period", land, "listing", "min_interval",
             "listing_starts_at", "listing_ends_at", 10, CD,
             "挂牌时间不得少于10日（不少省份规定为10个工作日）", "39号令(国土) 第19条",
             check=True),
        rule("land.result_publication", land, None, "max_interval",
             "trading_ends_at", "result_published_at", 10, WD,
             "招标拍卖挂牌活动结束后，出让人应在10个工作日内公布出让结果",
             "39号令(国土) 第22条"),
        rule("land.deposit_refund", land, None, "max_interval",
             "trading_ends_at", "unsuccessful_deposits_returned_at", 5, WD,
             "未竞得人交纳的保证金，出让人应当在招标拍卖挂牌活动结束后5个工作日内退还，"
             "不计利息", "39号令(国土) 第21条", check=True),
    ]
    return rules


def equity_rules():
    q = "equity"
    return [
        rule("equity.disclosure_period", q, None, "min_interval",
             "disclosure_starts_at", "disclosure_ends_at", 20, WD,
             "产权转让正式披露信息时间不得少于20个工作日", "32号令 第13条"),
        rule("equity.pre_disclosure_period", q, None, "min_interval",
             "pre_disclosure_starts_at", "pre_disclosure_ends_at", 20, WD,
             "转让导致实际控制权转移的，信息预披露时间不得少于20个工作日", "32号令 第13条",
             check=True),
        rule("equity.pre_disclosure_start", q, None, "max_interval",
             "transfer_approved_at", "pre_disclosure_starts_at", 10, WD,
             "转让方应当在转让行为获批后10个工作日内进行信息预披露", "32号令 第13条",
             check=True),
        rule("equity.first_listing_price", q, None, "min_share",
             "listing_price", "appraised_value", 100, PCT,
             "首次正式信息披露的转让底价，不得低于经核准或备案的转让标的评估结果",
             "32号令 第12条", check=True),
        rule("equity.restart_after_twelve_months", q, None, "max_interval",
             "first_disclosure_at", "qualified_buyer_found_at", 12, MONTHS,
             "自首次正式披露信息之日起超过12个月未征集到合格受让方的，应当重新履行审计、资产"
             "评估以及信息披露等产权转让工作程序", "32号令 第18条", check=True),
        rule("equity.reserve_below_appraisal", q, None, "threshold",
             "reserve_price", "appraised_value", 90, PCT,
             "新的转让底价低于评估结果的90%时，应当经转让行为批准单位书面同意",
             "32号令 第18条", check=True),
        rule("equity.capital_increase_disclosure", q, None, "min_interval",
             "capital_increase_disclosure_starts_at", "capital_increase_disclosure_ends_at",
             40, WD, "企业增资通过产权交易机构网站对外披露信息公开征集投资方，时间不得少于"
             "40个工作日", "32号令 第40条", check=True),
        rule("equity.lump_sum_payment", q, None, "max_interval",
             "contract_effective_at", "price_paid_at", 5, WD,
             "交易价款原则上应当自合同生效之日起5个工作日内一次付清", "32号令 第28条",
             check=True),
        rule("equity.first_instalment_share", q, None, "min_share",
             "first_instalment_amount", "transaction_price", 30, PCT,
             "采用分期付款方式的，首期付款不得低于总价款的30%", "32号令 第28条", check=True),
        rule("equity.first_instalment_payment", q, None, "max_interval",
             "contract_effective_at", "first_instalment_paid_at", 5, WD,
             "分期付款的首期付款应当在合同生效之日起5个工作日内支付", "32号令 第28条",
             check=True),
        rule("equity.instalment_term", q, None, "max_interval",
             "contract_effective_at", "final_instalment_paid_at", 1, YEARS,
             "其余款项应当提供合法有效担保并支付延期付款期间利息，付款期限不超过1年",
             "32号令 第28条", check=True),
    ]


def expert_rules():
    return [
        rule("experts.min_experience_years", None, None, "min_value",
             "expert_experience_years", "", 8, YEARS,
             "评标专家应当从事相关专业领域工作满8年，并具有高级职称或者同等专业水平",
             "评标专家和评标专家库管理办法（国家发展改革委令第26号）", check=True,
             valid_from=date(2025, 1, 1)),
    ]


FEE_EXAMPLE_SOURCE = (
    "示例数据（EXAMPLE）：须替换为本地价格主管部门核定的收费标准 / example figures, to be "
    "replaced by the local price authority's approved standard"
)
FEE_STANDARDS = [
    dict(code="engineering-service-fee", category="engineering",
         name="工程建设项目交易服务费", payer="中标人",
         tiers=[{"up_to": "1000000", "rate": "0.0015"}, {"up_to": "5000000", "rate": "0.0008"},
                {"up_to": "10000000", "rate": "0.0005"}, {"up_to": "50000000", "rate": "0.0003"},
                {"up_to": "100000000", "rate": "0.0001"}, {"up_to": None, "rate": "0.00005"}],
         minimum_fee=Decimal("1000"), maximum_fee=Decimal("50000")),
    dict(code="land-mining-service-fee", category="land_mining",
         name="土地使用权和矿业权出让交易服务费", payer="竞得人",
         tiers=[{"up_to": "10000000", "rate": "0.001"}, {"up_to": "50000000", "rate": "0.0005"},
                {"up_to": "100000000", "rate": "0.0003"}, {"up_to": None, "rate": "0.0001"}],
         minimum_fee=Decimal("2000"), maximum_fee=Decimal("100000")),
    dict(code="equity-service-fee", category="equity",
         name="国有产权交易服务费", payer="受让方",
         tiers=[{"up_to": "1000000", "rate": "0.003"}, {"up_to": "5000000", "rate": "0.002"},
                {"up_to": "10000000", "rate": "0.001"}, {"up_to": "50000000", "rate": "0.0005"},
                {"up_to": None, "rate": "0.0002"}],
         minimum_fee=Decimal("1000"), maximum_fee=Decimal("100000")),
    dict(code="procurement-service-fee", category="procurement",
         name="政府采购交易服务费", payer="中标（成交）供应商",
         tiers=[{"up_to": "1000000", "rate": "0.001"}, {"up_to": "5000000", "rate": "0.0006"},
                {"up_to": "10000000", "rate": "0.0004"}, {"up_to": None, "rate": "0.0002"}],
         minimum_fee=Decimal("500"), maximum_fee=Decimal("30000")),
]


def seed(apps, schema_editor):
    db = schema_editor.connection.alias
    Category = apps.get_model("catalog", "Category")
    TradingMethod = apps.get_model("catalog", "TradingMethod")
    CatalogEntry = apps.get_model("catalog", "CatalogEntry")
    StatutoryRule = apps.get_model("catalog", "StatutoryRule")
    FeeStandard = apps.get_model("catalog", "FeeStandard")

    categories = {}
    for code, name, parent, letter, alternatives, department, ordering, description in CATEGORIES:
        categories[code], _ = Category.objects.using(db).update_or_create(
            code=code,
            defaults=dict(
                name=name, parent=categories.get(parent), transaction_code_letter=letter,
                alternative_code_letters=alternatives, supervising_department=department,
                ordering=ordering, description=description, is_active=True,
            ),
        )

    methods = {}
    for code, name, category_codes, ordering in METHODS:
        methods[code], _ = TradingMethod.objects.using(db).update_or_create(
            code=code, defaults=dict(name_zh=name, ordering=ordering, is_active=True)
        )
        methods[code].categories.add(*(categories[c] for c in category_codes))

    for entry in catalog_entries():
        entry = dict(entry)
        code = entry.pop("code")
        entry["category"] = categories[entry["category"]]
        entry["required_method"] = methods.get(entry["required_method"])
        CatalogEntry.objects.using(db).update_or_create(code=code, defaults=entry)

    for row in engineering_rules() + procurement_rules() + land_rules() + equity_rules() + expert_rules():
        row = dict(row)
        code = row.pop("code")
        row["category"] = categories.get(row["category"])
        row["method"] = methods.get(row["method"])
        StatutoryRule.objects.using(db).update_or_create(code=code, defaults=row)

    for standard in FEE_STANDARDS:
        standard = dict(standard)
        code = standard.pop("code")
        standard["category"] = categories[standard["category"]]
        FeeStandard.objects.using(db).update_or_create(
            code=code,
            defaults=dict(standard, source=FEE_EXAMPLE_SOURCE, is_example=True, is_active=True),
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
