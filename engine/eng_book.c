/* eng_book: the workbooks' words in English and Chinese (see eng_book.h). */
#include "engine/eng_book.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

const eng_book_label eng_book_sheets[EB_NSHEETS] = {
    [EB_SH_SUMMARY] = {"Summary", "摘要"},       [EB_SH_PROJECTS] = {"Projects", "项目"},
    [EB_SH_DUPLICATES] = {"Duplicates", "重复"}, [EB_SH_EVIDENCE] = {"Evidence", "证据"},
    [EB_SH_INDICATORS] = {"Indicators", "指标"}, [EB_SH_TRACE] = {"Traceability", "溯源核查"},
    [EB_SH_GAP] = {"Metrology gap", "计量缺口"}, [EB_SH_RULES] = {"Rules", "规则"},
    [EB_SH_LISTS] = {"Lists", "列表"},
};

const eng_book_col eng_book_proj[EB_P_NCOLS] = {
    [EB_P_ID] = {"ID", "项目编号", 18},
    [EB_P_TITLE] = {"Title", "项目名称", 48},
    [EB_P_KIND] = {"Kind", "类型", 10},
    [EB_P_SOURCE] = {"Source", "来源", 14},
    [EB_P_FIELD] = {"Field", "领域", 14},
    [EB_P_ORG] = {"Organisation", "承担单位", 28},
    [EB_P_PI] = {"PI", "项目负责人", 12},
    [EB_P_TRL_CLAIMED] = {"TRL claimed", "声称TRL", 9},
    [EB_P_TRL_EVIDENCED] = {"TRL achieved", "已达TRL", 9},
    [EB_P_TRL_CONF] = {"TRL confidence", "TRL置信度", 10},
    [EB_P_TRL_PLANNED] = {"TRL planned", "计划TRL", 9},
    [EB_P_TRL_STATED] = {"TRL stated", "陈述TRL", 9},
    [EB_P_TRL_NOTE] = {"Score notes", "评分说明", 30},
    [EB_P_TRACE] = {"Traceability", "可溯源性", 11},
    [EB_P_NOVELTY] = {"Novelty", "新颖性", 9},
    [EB_P_OVERALL] = {"Overall", "综合得分", 9},
    [EB_P_ACC_CONCLUSION] = {"Acceptance conclusion", "验收结论", 12},
    [EB_P_ACC_DATE] = {"Acceptance date", "验收日期", 11},
    [EB_P_START] = {"Start", "开始日期", 10},
    [EB_P_END] = {"End", "结束日期", 10},
    [EB_P_QUALITY] = {"Data quality", "数据质量", 30},
    [EB_P_FLAGS] = {"Flags", "标记", 28},
    [EB_P_NFLAGS] = {"Flag count", "标记数", 8},
    [EB_P_DUP] = {"Duplicate of", "疑似重复于", 18},
    [EB_P_ERRORS] = {"Rule errors", "规则错误", 8},
    [EB_P_EVIDENCE] = {"Evidence", "证据", 12},
    [EB_P_DECISION] = {"Decision", "评审结论", 14},
    [EB_P_COMMENT] = {"Comment", "评审意见", 40},
    [EB_P_HASH] = {"Content hash", "内容哈希", 20},
    [EB_P_WRITTEN] = {"Written decision", "原结论", 20},
};

const eng_book_col eng_book_dup[EB_D_NCOLS] = {
    [EB_D_GROUP] = {"Group", "组", 7},
    [EB_D_A] = {"Project A", "项目A", 18},
    [EB_D_TITLE_A] = {"Title A", "项目A名称", 40},
    [EB_D_B] = {"Project B", "项目B", 18},
    [EB_D_TITLE_B] = {"Title B", "项目B名称", 40},
    [EB_D_KIND] = {"Relation", "关系", 13},
    [EB_D_ORDER] = {"Order", "先后", 11},
    [EB_D_METHOD] = {"Method", "方法", 20},
    [EB_D_JACCARD] = {"Jaccard", "Jaccard相似度", 10},
    [EB_D_CONTAINMENT] = {"Containment", "包含度", 11},
    [EB_D_CONTAINED] = {"Contained", "被包含项目", 18},
    [EB_D_SIGNALS] = {"Signals", "信号", 28},
    [EB_D_PASSAGE_A] = {"Shared passage in A", "A中的相同段落", 60},
    [EB_D_PASSAGE_B] = {"Shared passage in B", "B中的相同段落", 60},
};

const eng_book_col eng_book_ev[EB_E_NCOLS] = {
    [EB_E_PROJECT] = {"Project", "项目编号", 18}, [EB_E_RULE] = {"Rule", "规则", 22},
    [EB_E_DIMENSION] = {"Dimension", "维度", 12}, [EB_E_FIELD] = {"Field", "字段", 20},
    [EB_E_INDICATOR] = {"Indicator", "指标", 9},  [EB_E_LEVEL] = {"Level", "等级", 7},
    [EB_E_POINTS] = {"Points", "分值", 8},        [EB_E_SEVERITY] = {"Severity", "严重程度", 10},
    [EB_E_MATCH] = {"Match", "匹配文本", 30},     [EB_E_CONTEXT] = {"Context", "上下文", 70},
    [EB_E_MESSAGE] = {"Message", "说明", 40},     [EB_E_OFFSET] = {"Offset", "偏移", 8},
    [EB_E_ERROR] = {"Error", "错误", 7},
};

const eng_book_col eng_book_ind[EB_I_NCOLS] = {
    [EB_I_PROJECT] = {"Project", "项目编号", 18}, [EB_I_IDX] = {"#", "序号", 5},
    [EB_I_NAME] = {"Indicator", "指标", 28},      [EB_I_TARGET] = {"Target", "目标值", 16},
    [EB_I_ACHIEVED] = {"Achieved", "实测值", 16}, [EB_I_UNIT] = {"Unit", "单位", 8},
    [EB_I_VERDICT] = {"Verdict", "溯源结论", 14}, [EB_I_POINTS] = {"Points", "分值", 8},
    [EB_I_REASONS] = {"Reasons", "理由", 60},
};

const eng_book_col eng_book_trace[EB_T_NCOLS] = {
    [EB_T_PROJECT] = {"Project", "项目编号", 18},
    [EB_T_IDX] = {"#", "序号", 5},
    [EB_T_INDICATOR] = {"Indicator", "指标", 24},
    [EB_T_FIGURE] = {"Figure", "实测值", 14},
    [EB_T_KIND] = {"Claim kind", "声明类型", 12},
    [EB_T_CLAIM] = {"Claim", "声明", 22},
    [EB_T_VERDICT] = {"Verdict", "核查结论", 16},
    [EB_T_REGISTRY] = {"Registry", "名录", 14},
    [EB_T_CODE] = {"Entry", "名录条目", 20},
    [EB_T_ENTRY] = {"Registry entry", "名录条目内容", 60},
    [EB_T_EVIDENCE] = {"Evidence", "依据", 60},
    [EB_T_POINTS] = {"Points", "分值", 8},
};

const eng_book_label eng_book_gap[EB_NG] = {
    [EB_G_TITLE] = {"Metrology gap", "计量缺口"},
    [EB_G_NOTE] = {"Completed projects whose evidenced TRL lies in the gap band and none of whose "
                   "indicators has a measurement verified against a registry: where measurement "
                   "services are missing.",
                   "技术就绪度处于缺口区间、且没有任何指标的测量结果经名录核查确认的已验收项目："
                   "计量服务缺位之处。"},
    [EB_G_REGISTRIES] = {"Registries checked against", "核查所用名录"},
    [EB_G_KIND] = {"Kind", "类型"},
    [EB_G_NAME] = {"Name", "名称"},
    [EB_G_ENTRIES] = {"Entries", "条目数"},
    [EB_G_SHA] = {"SHA-256", "SHA-256"},
    [EB_G_BY_FIELD] = {"By field", "按领域"},
    [EB_G_FIELD] = {"Field", "领域"},
    [EB_G_IN_BAND] = {"Projects in the band", "区间内项目"},
    [EB_G_GAP] = {"Without verified measurement", "无经核查的测量"},
    [EB_G_SHARE] = {"Share", "比例"},
    [EB_G_VERDICTS] = {"Registry verdicts", "核查结论"},
    [EB_G_VERDICT] = {"Verdict", "结论"},
    [EB_G_COUNT] = {"Checks", "次数"},
    [EB_G_PROJECTS] = {"Projects in the gap", "缺口项目"},
    [EB_G_PROJECT] = {"Project", "项目编号"},
    [EB_G_TITLE_COL] = {"Title", "项目名称"},
    [EB_G_TRL] = {"Evidenced TRL", "证据TRL"},
    [EB_G_CHECKS] = {"Registry checks", "名录核查"},
    [EB_G_NONE_FIELD] = {"(no field)", "（未填领域）"},
};

const eng_book_col eng_book_rule[EB_R_NCOLS] = {
    [EB_R_ID] = {"ID", "编号", 24, "id"},
    [EB_R_DIMENSION] = {"Dimension", "维度", 12, "dimension"},
    [EB_R_SCOPE] = {"Scope", "范围", 9, "scope"},
    [EB_R_LEVEL] = {"Level", "等级", 6, "level"},
    [EB_R_POINTS] = {"Points", "分值", 7, "points"},
    [EB_R_SEVERITY] = {"Severity", "严重程度", 9, "severity"},
    [EB_R_SCHEME] = {"Scheme", "方案", 10, "scheme"},
    [EB_R_FIELDS] = {"Fields", "字段", 28, "fields"},
    [EB_R_PATTERN] = {"Pattern", "模式", 60, "pattern"},
    [EB_R_FLAGS] = {"Flags", "选项", 12, "flags"},
    [EB_R_NEGATABLE] = {"Negatable", "可否定", 9, "negatable"},
    [EB_R_ABSENT] = {"Absent", "缺失触发", 8, "absent"},
    [EB_R_WHEN] = {"When", "条件", 30, "when"},
    [EB_R_WHY] = {"Why", "依据", 50, "why"},
    [EB_R_MESSAGE] = {"Message", "说明", 40, "message"},
};

const eng_book_label eng_book_calib[EB_NC] = {
    [EB_C_SECTION] = {"Calibration of the TRL readings", "TRL 读数的校准"},
    [EB_C_STATUS] = {"Calibration", "校准"},
    [EB_C_NOT] = {"not calibrated: the readings were never compared with reference ratings, "
                  "so their error is unknown (vernier calibrate)",
                  "未校准：读数从未与参考评级比较，误差未知（vernier calibrate）"},
    [EB_C_ON] = {"%s, %d-fold cross-validation (seed %lu), parameters %s",
                 "%s，%d 折交叉验证（随机种子 %lu），参数%s"},
    [EB_C_FITTED] = {"fitted", "经拟合"},
    [EB_C_KEPT] = {"kept (measured only)", "保持不变（仅测量）"},
    [EB_C_REFS] = {"References", "参考评级"},
    [EB_C_PARAMS] = {"Calibrated parameters", "校准参数"},
    [EB_C_ACHIEVED] = {"Achieved TRL vs reference", "已达 TRL 与参考评级"},
    [EB_C_PLANNED] = {"Planned TRL vs reference", "计划 TRL 与参考评级"},
    [EB_C_READING] = {"read %zu of %zu (%.0f%%); MAE %.2f (95%% interval %.2f-%.2f); "
                      "within ±1 %.0f%%",
                      "有读数 %zu/%zu（%.0f%%）；平均绝对误差 %.2f（95%% 区间 %.2f-%.2f）；"
                      "误差 ±1 以内 %.0f%%"},
    [EB_C_NOREAD] = {"no reading on any of %zu references", "%zu 条参考均无读数"},
    [EB_C_BASELINE] = {"  baseline: constant median", "  基线：常数中位数"},
    [EB_C_BASE_SAME] = {"MAE %.2f (95%% interval %.2f-%.2f) on the same records; "
                        "%.2f on all %zu, within ±1 %.0f%%",
                        "同一批记录平均绝对误差 %.2f（95%% 区间 %.2f-%.2f）；"
                        "全部 %.2f（%zu 条），±1 以内 %.0f%%"},
    [EB_C_BASE_ALL] = {"MAE %.2f on all %zu, within ±1 %.0f%%",
                       "全部平均绝对误差 %.2f（%zu 条），±1 以内 %.0f%%"},
    [EB_C_CURRENT] = {"Record current", "记录是否有效"},
    [EB_C_CURRENT_YES] = {"yes: the rules and parameters are those measured",
                          "是：规则与参数即为所测"},
    [EB_C_CURRENT_NO] = {"NO: the rule set changed after it was measured; recalibrate",
                         "否：测量后规则集已改动，请重新校准"},
};

const eng_book_label eng_book_sum[EB_NS] = {
    [EB_S_TITLE] = {"vernier reviewer workbook", "vernier 评审工作簿"},
    [EB_S_RUN] = {"Run", "运行编号"},
    [EB_S_RUN_NAME] = {"Run name", "运行名称"},
    [EB_S_RUN_DATE] = {"Run date", "运行日期"},
    [EB_S_WRITTEN] = {"Workbook written", "工作簿生成时间"},
    [EB_S_RULESET] = {"Rule set", "规则集"},
    [EB_S_RS_VERSION] = {"Rule-set version", "规则集版本"},
    [EB_S_RS_SHA] = {"Rule-set SHA-256", "规则集 SHA-256"},
    [EB_S_TOOL] = {"Tool version", "工具版本"},
    [EB_S_STORE] = {"Store", "数据库标识"},
    [EB_S_PANEL] = {"Panel", "评审组"},
    [EB_S_ALL] = {"all projects", "全部项目"},
    [EB_S_REVIEWER] = {"Reviewer", "评审专家"},
    [EB_S_PARAMS] = {"Parameters", "参数"},
    [EB_S_COUNTS] = {"Counts", "统计"},
    [EB_S_N_PROJECTS] = {"Projects", "项目数"},
    [EB_S_N_HITS] = {"Rule hits", "规则命中数"},
    [EB_S_N_PAIRS] = {"Duplicate pairs", "重复项目对"},
    [EB_S_N_FLAGGED] = {"Flagged projects", "有标记的项目"},
    [EB_S_N_DUP] = {"Projects with a duplicate", "有疑似重复的项目"},
    [EB_S_N_INDICATORS] = {"Indicators", "指标数"},
    [EB_S_N_TRACEABLE] = {"Indicators traceable", "可溯源指标"},
    [EB_S_N_PARTLY] = {"Indicators partly traceable", "部分可溯源指标"},
    [EB_S_N_UNTRACEABLE] = {"Indicators untraceable", "不可溯源指标"},
    [EB_S_N_RULE_ERRORS] = {"Projects with rule errors", "有规则错误的项目"},
    [EB_S_N_REPAIRED] = {"Cells repaired (invalid UTF-8)", "已修复的单元格（无效 UTF-8）"},
    [EB_S_N_TRUNCATED] = {"Cells truncated (over 32,767 characters)",
                          "已截断的单元格（超过 32,767 字符）"},
    [EB_S_DECISIONS] = {"Decisions", "评审结论"},
    [EB_S_UNDECIDED] = {"undecided", "未评审"},
    [EB_S_HOWTO] = {"How to review", "评审方法"},
    [EB_S_STEP1] = {"1. Write your name in the Reviewer cell above.",
                    "1. 在上方“评审专家”单元格中填写姓名。"},
    [EB_S_STEP2] = {"2. On Projects, filter Flag count > 0 (or sort by a score) to see the "
                    "projects to look at.",
                    "2. 在“项目”表中筛选“标记数”大于 0（或按得分排序），找出需要重点审查的项目。"},
    [EB_S_STEP3] = {"3. Follow the Evidence link of a project to the rule hits behind its scores.",
                    "3. 点击项目的“证据”链接，查看得分背后的规则命中。"},
    [EB_S_STEP4] =
        {"4. Pick a Decision from the drop-down (pass, revise, fail) and write a Comment.",
         "4. 在“评审结论”下拉列表中选择（通过、整改后通过、不通过），并填写“评审意见”。"},
    [EB_S_STEP5] =
        {"5. Save and send the file back: `vernier decisions import FILE.xlsx` reads it.",
         "5. 保存并交回文件：`vernier decisions import 文件.xlsx` 读取评审结果。"},
    [EB_S_TRL_TABLE] = {"TRL: claimed vs achieved", "TRL：声称与已达"},
    [EB_S_LEVEL] = {"Level", "等级"},
    [EB_S_CLAIMED] = {"Claimed", "声称"},
    [EB_S_EVIDENCED] = {"Achieved", "已达"},
    [EB_S_NONE] = {"none", "无"},
    [EB_S_NO_READING] = {"no reading", "无读数"},
    [EB_S_HIST_TABLE] = {"Score distribution", "得分分布"},
    [EB_S_RANGE] = {"Range", "区间"},
    [EB_S_TRACE] = {"Traceability", "可溯源性"},
    [EB_S_NOVELTY] = {"Novelty", "新颖性"},
    [EB_S_OVERALL] = {"Overall", "综合得分"},
    [EB_S_FLAGS_TABLE] = {"Flags by kind", "标记分类"},
    [EB_S_FLAG] = {"Flag", "标记"},
    [EB_S_FLAG_PROJECTS] = {"Projects", "项目数"},
    [EB_S_NO_FLAGS] = {"no flags", "无标记"},
    [EB_S_CHART_TRL] = {"Claimed vs achieved TRL", "声称TRL与已达TRL"},
    [EB_S_CHART_FLAGS] = {"Flags by kind", "标记分类"},
    [EB_S_PROJECTS_AXIS] = {"Projects", "项目数"},
    [EB_S_NOT_ASSESSABLE] = {"not assessable", "不可评估"},
    [EB_S_N_NA] = {"Projects with nothing to read (not assessable)",
                   "无可读内容的项目（不可评估）"},
    [EB_S_SELECTION] = {"Selection", "选取范围"},
    [EB_S_PARTS] = {"Parts", "分表"},
};

const eng_book_label eng_book_decisions[EB_NDECISIONS] = {
    {"pass", "通过"},
    {"revise", "整改后通过"},
    {"fail", "不通过"},
};

const eng_book_label eng_book_misc[EB_NMISC] = {
    [EB_M_HITS_ONE] = {"%zu hit", "%zu 条证据"},
    [EB_M_HITS_MANY] = {"%zu hits", "%zu 条证据"},
    [EB_M_VALIDATION_TITLE] = {"Decision", "评审结论"},
    [EB_M_VALIDATION_MSG] = {"Pick pass, revise or fail from the list.",
                             "请从列表中选择：通过、整改后通过或不通过。"},
    [EB_M_YES] = {"yes", "是"},
    [EB_M_NOT_ASSESSABLE] = {"not assessable", "不可评估"},
    [EB_M_NA_WHY] = {"nothing to read: no abstract, acceptance summary or indicator",
                     "无可读内容：无摘要、验收总结或考核指标"},
    [EB_M_NOT_COMPUTED] = {"not computed: the run skipped the duplicate search",
                           "未计算：本次运行未做查重"},
    [EB_M_WITHDRAWN] = {"withdrawn", "已撤回"},
    [EB_M_WITHDRAWN_NOTE] = {"decision withdrawn by %s on %s", "评审结论已由 %s 于 %s 撤回"},
    [EB_M_PARTED] = {"long sheets are split into parts of %zu rows: see the sheet %s",
                     "超长的表已拆分，每部分 %zu 行：见“%s”表"},
    [EB_M_INDEX_SHEET] = {"Index", "索引"},
    [EB_M_INDEX_SHEET_COL] = {"Sheet", "工作表"},
    [EB_M_INDEX_ROWS] = {"Rows", "行数"},
    [EB_M_INDEX_FIRST] = {"First project", "首个项目"},
    [EB_M_INDEX_LAST] = {"Last project", "末个项目"},
    [EB_M_INDEX_NOTE] = {"A sheet holds 1,048,576 rows: the long sheets below are in parts, "
                         "in order; Summary counts all of them.",
                         "一个工作表最多 1,048,576 行：以下超长的表按顺序拆分为多个部分；"
                         "摘要统计全部部分。"},
    [EB_M_SEL_ALL_OF] = {"%zu of %zu projects", "共 %2$zu 个项目中的 %1$zu 个"},
    [EB_M_SEL_WHERE] = {"where %s (%zu match)", "筛选条件 %s（%zu 个符合）"},
    [EB_M_SEL_TOP] = {"the first %ld by %s", "按 %2$s 排序的前 %1$ld 个"},
};

const eng_book_col eng_book_screen_cols[EB_SC_NCOLS] = {
    [EB_SC_PROPOSAL] = {"Proposal", "申报项目", 18},
    [EB_SC_PTITLE] = {"Proposal title", "申报项目名称", 40},
    [EB_SC_RANK] = {"Rank", "排名", 6},
    [EB_SC_MATCH] = {"Match", "相似项目", 18},
    [EB_SC_MTITLE] = {"Match title", "相似项目名称", 40},
    [EB_SC_MSOURCE] = {"Match source", "相似项目来源", 14},
    [EB_SC_KIND] = {"Kind", "类型", 12},
    [EB_SC_JACCARD] = {"Jaccard", "Jaccard相似度", 10},
    [EB_SC_CONTAINMENT] = {"Containment", "包含度", 11},
    [EB_SC_SIGNALS] = {"Signals", "信号", 24},
    [EB_SC_PASSAGE_P] = {"Shared passage in the proposal", "申报书中的相同段落", 60},
    [EB_SC_PASSAGE_M] = {"Shared passage in the match", "相似项目中的相同段落", 60},
};

const eng_book_label eng_book_screen_text[EB_NST] = {
    [EB_ST_TITLE] = {"vernier screening workbook", "vernier 查重工作簿"},
    [EB_ST_WRITTEN] = {"Workbook written", "工作簿生成时间"},
    [EB_ST_RULESET] = {"Rule set", "规则集"},
    [EB_ST_RS_VERSION] = {"Rule-set version", "规则集版本"},
    [EB_ST_RS_SHA] = {"Rule-set SHA-256", "规则集 SHA-256"},
    [EB_ST_JACCARD] = {"Jaccard threshold", "Jaccard 阈值"},
    [EB_ST_CONTAINMENT] = {"Containment threshold", "包含度阈值"},
    [EB_ST_TOPK] = {"Matches kept per proposal", "每个申报项目保留的相似项目数"},
    [EB_ST_STORED] = {"Stored projects screened against", "比对的已存项目数"},
    [EB_ST_PROPOSALS] = {"Proposals", "申报项目数"},
    [EB_ST_WITH_MATCH] = {"Proposals with a match", "有相似项目的申报项目"},
    [EB_ST_MATCHES] = {"Matches", "相似项目对"},
    [EB_ST_REPAIRED] = {"Cells repaired (invalid UTF-8)", "已修复的单元格（无效 UTF-8）"},
    [EB_ST_TRUNCATED] = {"Cells truncated (over 32,767 characters)",
                         "已截断的单元格（超过 32,767 字符）"},
    [EB_ST_NO_MATCH] = {"no similar project", "无相似项目"},
    [EB_ST_SUMMARY] = {"Summary", "摘要"},
    [EB_ST_SCREENING] = {"Screening", "查重"},
};

/* Values the engine writes in English words, and their Chinese. */
static const eng_book_label VALUES[] = {
    {"project", "项目"},
    {"proposal", "申报书"},
    {"prior-art", "在先技术"},
    {"trl", "TRL"},
    {"traceability", "可溯源性"},
    {"novelty", "新颖性"},
    {"flag", "标记"},
    {"traceable", "可溯源"},
    {"partly", "部分可溯源"},
    {"untraceable", "不可溯源"},
    {"exact", "完全重复"},
    {"near", "近似重复"},
    {"partial", "部分重复"},
    {"inside", "短文包含于长文"},
    {"continuation", "延续"},
    {"related", "相关"},
    {"A earlier", "A在先"},
    {"unknown", "未知"},
    {"same-pi", "同一负责人"},
    {"same-organisation", "同一单位"},
    {"overlapping-period", "执行期重叠"},
    {"same-indicators", "考核指标相同"},
    {"info", "提示"},
    {"warn", "警告"},
    {"error", "错误"},
    {"record", "项目"},
    {"indicator", "指标"},
    {"verified", "核查属实"},
    {"not_found", "名录中未找到"},
    {"expired", "已过期/失效"},
    {"out_of_scope", "超出范围"},
    {"implausible", "不确定度不可信"},
    {"not_checkable", "无法核查"},
    {"lab", "实验室"},
    {"institute", "计量院"},
    {"uncertainty", "不确定度"},
    {"crm", "标准物质"},
    {"standard", "标准"},
    {"cmc", "校准测量能力"},
    {"confidence", "不要求（计入置信度）"},
    {"required", "必须有下级证据"},
};

const char *eng_book_value(const char *v, int zh)
{
    if (!v || !zh)
        return v;
    for (size_t i = 0; i < sizeof VALUES / sizeof VALUES[0]; i++)
        if (!strcmp(VALUES[i].en, v))
            return VALUES[i].zh;
    return v;
}

/* The run's parameters (engine/eng_run.c params_json) in Chinese. */
static const eng_book_label PARAMS[] = {
    {"trl_threshold", "TRL 判定所需证据分"},
    {"trl_support", "TRL 下级证据要求"},
    {"overclaim_margin", "TRL 夸大判定差距"},
    {"traceability_cap", "可溯源性得分上限"},
    {"weights.trl", "权重：TRL"},
    {"weights.traceability", "权重：可溯源性"},
    {"weights.novelty", "权重：新颖性"},
    {"duplicates.jaccard", "重复判定：Jaccard 相似度阈值"},
    {"duplicates.containment", "重复判定：包含度阈值"},
    {"schemes", "启用的规则方案"},
};

void eng_book_param_name(const char *key, int zh, char *out, size_t cap)
{
    if (zh)
        for (size_t i = 0; i < sizeof PARAMS / sizeof PARAMS[0]; i++)
            if (!strcmp(PARAMS[i].en, key)) {
                snprintf(out, cap, "%s（%s）", PARAMS[i].zh, key);
                return;
            }
    snprintf(out, cap, "%s", key);
}

void eng_book_method_text(const char *method, int zh, char *out, size_t cap)
{
    int p, b, r, n = 0;
    if (!method)
        method = "";
    if (!zh) {
        snprintf(out, cap, "%s", method);
        return;
    }
    if (!strcmp(method, "exact-normalised")) {
        snprintf(out, cap, "规范化后全文相同（%s）", method);
        return;
    }
    if (!strcmp(method, "exact-normalised-abstract")) {
        snprintf(out, cap, "规范化后摘要相同（%s）", method);
        return;
    }
    if (sscanf(method, "minhash-oph p=%d b=%dxr=%d%n", &p, &b, &r, &n) == 3 && n > 0) {
        size_t k = (size_t)snprintf(out, cap,
                                    "MinHash 单置换哈希：%d 个置换（签名值），LSH 分 %d 个带 × "
                                    "每带 %d 行",
                                    p, b, r);
        if (k < cap && strstr(method + n, "verified"))
            k += (size_t)snprintf(out + k, cap - k, "；候选对经原文核对");
        if (k < cap && strstr(method + n, "idf-weighted"))
            k += (size_t)snprintf(out + k, cap - k, "；按 IDF 加权（常用词权重低）");
        if (k < cap)
            snprintf(out + k, cap - k, "（%s）", method);
        return;
    }
    snprintf(out, cap, "%s", method);
}
