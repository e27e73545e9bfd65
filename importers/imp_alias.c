/*
 * imp_alias: the built-in header aliases, as data.  One row per header an
 * agency writes (normalised as imp_alias_key does) and the record or
 * indicator field it fills.  Adding an agency's column is adding a row.
 */
#include "importers/imp_alias.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "importers/imp_value.h"

typedef struct alias {
    const char *key;    /* normalised header */
    const char *target; /* field name, "period", or "extra:KEY" */
} alias;

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Keys are normalised as imp_alias_key() does: ASCII lower case, no spaces,
 * '_', '-', '.', ':', '*', '#'. */
static const alias record_aliases[] = {
    /* id */
    {"id", "id"},
    {"项目编号", "id"},
    {"项目批准号", "id"},
    {"批准号", "id"},
    {"编号", "id"},
    {"项目号", "id"},
    {"项目代码", "id"},
    {"项目id", "id"},
    {"课题编号", "id"},
    {"课题号", "id"},
    {"合同编号", "id"},
    {"任务书编号", "id"},
    {"立项编号", "id"},
    {"申请号", "id"},
    {"申请编号", "id"},
    {"申报编号", "id"},
    {"projectid", "id"},
    {"projectno", "id"},
    {"projectnumber", "id"},
    {"projectcode", "id"},
    {"awardid", "id"},
    {"awardnumber", "id"},
    {"awardno", "id"},
    {"grantid", "id"},
    {"grantnumber", "id"},
    {"grantno", "id"},
    {"sbirid", "id"},
    {"rcn", "id"},
    {"briefrcn", "id"},
    {"recordid", "id"},
    /* kind, source */
    {"kind", "kind"},
    {"记录类型", "kind"},
    {"source", "source"},
    {"来源", "source"},
    {"项目来源", "source"},
    {"计划", "source"},
    {"计划名称", "source"},
    {"资助机构", "source"},
    {"资助计划", "source"},
    {"program", "source"},
    {"programme", "source"},
    {"programtitle", "source"},
    {"fundingprogram", "source"},
    {"fundingprogramme", "source"},
    /* title */
    {"title", "title"},
    {"项目名称", "title"},
    {"课题名称", "title"},
    {"名称", "title"},
    {"标题", "title"},
    {"题目", "title"},
    {"项目题目", "title"},
    {"项目标题", "title"},
    {"成果名称", "title"},
    {"projecttitle", "title"},
    {"projectname", "title"},
    {"awardtitle", "title"},
    /* abstract */
    {"abstract", "abstract"},
    {"摘要", "abstract"},
    {"项目摘要", "abstract"},
    {"中文摘要", "abstract"},
    {"内容摘要", "abstract"},
    {"研究内容", "abstract"},
    {"主要研究内容", "abstract"},
    {"研究内容摘要", "abstract"},
    {"项目简介", "abstract"},
    {"简介", "abstract"},
    {"内容简介", "abstract"},
    {"项目内容", "abstract"},
    {"description", "abstract"},
    {"projectdescription", "abstract"},
    {"summary", "abstract"},
    {"teaser", "abstract"},
    {"objective", "abstract"},
    {"objectives", "abstract"},
    /* keywords */
    {"keywords", "keywords"},
    {"keyword", "keywords"},
    {"关键词", "keywords"},
    {"关键字", "keywords"},
    {"主题词", "keywords"},
    /* organisation */
    {"organisation", "organisation"},
    {"organization", "organisation"},
    {"承担单位", "organisation"},
    {"依托单位", "organisation"},
    {"工作单位", "organisation"},
    {"申请单位", "organisation"},
    {"项目承担单位", "organisation"},
    {"牵头单位", "organisation"},
    {"牵头承担单位", "organisation"},
    {"单位", "organisation"},
    {"单位名称", "organisation"},
    {"所在单位", "organisation"},
    {"机构", "organisation"},
    {"机构名称", "organisation"},
    {"firm", "organisation"},
    {"company", "organisation"},
    {"companyname", "organisation"},
    {"institution", "organisation"},
    {"leadorg", "organisation"},
    {"leadorganization", "organisation"},
    {"leadorganisation", "organisation"},
    {"awardee", "organisation"},
    {"recipient", "organisation"},
    {"coordinator", "organisation"},
    /* pi */
    {"pi", "pi"},
    {"负责人", "pi"},
    {"项目负责人", "pi"},
    {"主持人", "pi"},
    {"项目主持人", "pi"},
    {"申请人", "pi"},
    {"课题负责人", "pi"},
    {"首席科学家", "pi"},
    {"principalinvestigator", "pi"},
    {"piname", "pi"},
    {"projectleader", "pi"},
    {"leader", "pi"},
    {"investigator", "pi"},
    /* field */
    {"field", "field"},
    {"学科", "field"},
    {"学科分类", "field"},
    {"学科领域", "field"},
    {"领域", "field"},
    {"所属领域", "field"},
    {"技术领域", "field"},
    {"研究领域", "field"},
    {"所属学科", "field"},
    {"discipline", "field"},
    {"subject", "field"},
    {"researcharea", "field"},
    {"primarytxtitle", "field"},
    {"taxonomy", "field"},
    /* start, end, period */
    {"start", "start"},
    {"startdate", "start"},
    {"begin", "start"},
    {"begindate", "start"},
    {"立项时间", "start"},
    {"立项日期", "start"},
    {"立项年度", "start"},
    {"立项年份", "start"},
    {"开始时间", "start"},
    {"开始日期", "start"},
    {"起始时间", "start"},
    {"起始日期", "start"},
    {"项目开始时间", "start"},
    {"year", "start"},
    {"awardyear", "start"},
    {"批准年份", "start"},
    {"批准年度", "start"},
    {"年度", "start"},
    {"资助年度", "start"},
    {"end", "end"},
    {"enddate", "end"},
    {"结束时间", "end"},
    {"结束日期", "end"},
    {"截止时间", "end"},
    {"截止日期", "end"},
    {"终止时间", "end"},
    {"终止日期", "end"},
    {"完成时间", "end"},
    {"项目结束时间", "end"},
    {"period", "period"},
    {"起止年月", "period"},
    {"起止时间", "period"},
    {"起止日期", "period"},
    {"执行期限", "period"},
    {"执行期", "period"},
    {"执行年限", "period"},
    {"研究期限", "period"},
    {"项目周期", "period"},
    {"项目期限", "period"},
    {"实施期限", "period"},
    {"起止年限", "period"},
    /* budget, currency */
    {"budget", "budget"},
    {"amount", "budget"},
    {"awardamount", "budget"},
    {"funding", "budget"},
    {"fundingamount", "budget"},
    {"totalcost", "budget"},
    {"totalfunding", "budget"},
    {"ecmaxcontribution", "budget"},
    {"eucontribution", "budget"},
    {"金额", "budget"},
    {"经费", "budget"},
    {"资助金额", "budget"},
    {"批准金额", "budget"},
    {"项目经费", "budget"},
    {"总经费", "budget"},
    {"资助经费", "budget"},
    {"拨款", "budget"},
    {"批准经费", "budget"},
    {"合同金额", "budget"},
    {"项目金额", "budget"},
    {"currency", "currency"},
    {"币种", "currency"},
    {"货币", "currency"},
    /* TRL */
    {"trlstart", "trl_start"},
    {"trlbegin", "trl_start"},
    {"起始trl", "trl_start"},
    {"初始trl", "trl_start"},
    {"起始技术成熟度", "trl_start"},
    {"初始技术成熟度", "trl_start"},
    {"立项技术成熟度", "trl_start"},
    {"立项时技术成熟度", "trl_start"},
    {"trltarget", "trl_target"},
    {"trlend", "trl_target"},
    {"trlgoal", "trl_target"},
    {"目标trl", "trl_target"},
    {"目标技术成熟度", "trl_target"},
    {"预期技术成熟度", "trl_target"},
    {"预期trl", "trl_target"},
    {"trlclaimed", "acceptance.trl_claimed"},
    {"trlcurrent", "acceptance.trl_claimed"},
    {"trl", "acceptance.trl_claimed"},
    {"技术成熟度", "acceptance.trl_claimed"},
    {"当前技术成熟度", "acceptance.trl_claimed"},
    {"当前trl", "acceptance.trl_claimed"},
    {"验收技术成熟度", "acceptance.trl_claimed"},
    {"达到技术成熟度", "acceptance.trl_claimed"},
    {"实际技术成熟度", "acceptance.trl_claimed"},
    /* 技术就绪度 / 技术就绪水平 (GB/T 22900's wording) as well as 技术成熟度 */
    {"起始技术就绪度", "trl_start"},
    {"初始技术就绪度", "trl_start"},
    {"立项技术就绪度", "trl_start"},
    {"立项时技术就绪度", "trl_start"},
    {"起始技术就绪水平", "trl_start"},
    {"初始技术就绪水平", "trl_start"},
    {"目标技术就绪度", "trl_target"},
    {"预期技术就绪度", "trl_target"},
    {"目标技术就绪水平", "trl_target"},
    {"预期技术就绪水平", "trl_target"},
    {"技术就绪度", "acceptance.trl_claimed"},
    {"技术就绪水平", "acceptance.trl_claimed"},
    {"就绪度", "acceptance.trl_claimed"},
    {"验收技术就绪度", "acceptance.trl_claimed"},
    {"当前技术就绪度", "acceptance.trl_claimed"},
    {"达到技术就绪度", "acceptance.trl_claimed"},
    {"实际技术就绪度", "acceptance.trl_claimed"},
    {"trl等级", "acceptance.trl_claimed"},
    /* acceptance */
    {"acceptancedate", "acceptance.date"},
    {"结项时间", "acceptance.date"},
    {"结项日期", "acceptance.date"},
    {"结题时间", "acceptance.date"},
    {"结题日期", "acceptance.date"},
    {"验收时间", "acceptance.date"},
    {"验收日期", "acceptance.date"},
    {"completiondate", "acceptance.date"},
    {"conclusion", "acceptance.conclusion"},
    {"acceptanceconclusion", "acceptance.conclusion"},
    {"成果等级", "acceptance.conclusion"},
    {"验收结论", "acceptance.conclusion"},
    {"总评", "acceptance.conclusion"},
    {"结题结论", "acceptance.conclusion"},
    {"验收结果", "acceptance.conclusion"},
    {"评价结果", "acceptance.conclusion"},
    {"结题评价", "acceptance.conclusion"},
    {"评估结果", "acceptance.conclusion"},
    {"结题等级", "acceptance.conclusion"},
    {"验收等级", "acceptance.conclusion"},
    {"acceptancesummary", "acceptance.summary"},
    {"验收意见", "acceptance.summary"},
    {"结题摘要", "acceptance.summary"},
    {"结题报告摘要", "acceptance.summary"},
    {"成果简介", "acceptance.summary"},
    {"成果摘要", "acceptance.summary"},
    {"成果概述", "acceptance.summary"},
    {"outcomes", "acceptance.outcomes"},
    {"outputs", "acceptance.outcomes"},
    {"results", "acceptance.outcomes"},
    {"主要成果", "acceptance.outcomes"},
    {"研究成果", "acceptance.outcomes"},
    {"代表性成果", "acceptance.outcomes"},
    {"成果", "acceptance.outcomes"},
    {"项目成果", "acceptance.outcomes"},
    /* common extras */
    {"category", "extra:category"},
    {"项目类别", "extra:category"},
    {"项目类型", "extra:category"},
    {"资助类别", "extra:category"},
    {"类别", "extra:category"},
    {"项目种类", "extra:category"},
    {NULL, NULL},
};

static const alias indicator_aliases[] = {
    {"name", "name"},
    {"indicator", "name"},
    {"indicatorname", "name"},
    {"metric", "name"},
    {"指标", "name"},
    {"指标名称", "name"},
    {"考核指标", "name"},
    {"技术指标", "name"},
    {"性能指标", "name"},
    {"target", "target"},
    {"目标值", "target"},
    {"指标值", "target"},
    {"考核目标", "target"},
    {"预期值", "target"},
    {"合同指标", "target"},
    {"目标", "target"},
    {"achieved", "achieved"},
    {"actual", "achieved"},
    {"完成值", "achieved"},
    {"实际值", "achieved"},
    {"实测值", "achieved"},
    {"达到值", "achieved"},
    {"完成情况", "achieved"},
    {"实现值", "achieved"},
    {"unit", "unit"},
    {"单位", "unit"},
    {"计量单位", "unit"},
    {"method", "method"},
    {"测试方法", "method"},
    {"检测方法", "method"},
    {"测量方法", "method"},
    {"考核方式", "method"},
    {"验证方式", "method"},
    {"lab", "lab"},
    {"laboratory", "lab"},
    {"检测机构", "lab"},
    {"测试机构", "lab"},
    {"检测单位", "lab"},
    {"测试单位", "lab"},
    {"第三方机构", "lab"},
    {"accreditation", "accreditation"},
    {"资质", "accreditation"},
    {"认可", "accreditation"},
    {"认可资质", "accreditation"},
    {"资质认定", "accreditation"},
    {"cnas", "accreditation"},
    {"reportno", "report_no"},
    {"reportnumber", "report_no"},
    {"报告编号", "report_no"},
    {"检测报告编号", "report_no"},
    {"证书编号", "report_no"},
    {"uncertainty", "uncertainty"},
    {"不确定度", "uncertainty"},
    {"测量不确定度", "uncertainty"},
    {NULL, NULL},
};

void imp_alias_key(const char *h, char key[256], char bracket[64])
{
    char f[256];
    size_t o = 0;
    bracket[0] = '\0';
    if (!imp_value_fold(h, f, sizeof f))
        snprintf(f, sizeof f, "%.200s", h);
    /* fold() turned （） 【】 into ASCII where they have ASCII forms */
    const char *p = f;
    while (*p && o + 1 < 256) {
        if (*p == '(' || *p == '[' || starts_with(p, "【") || starts_with(p, "〔")) {
            const char *q = p + (*p == '(' || *p == '[' ? 1 : 3);
            const char *e = q;
            while (*e && *e != ')' && *e != ']' && !starts_with(e, "】") && !starts_with(e, "〕"))
                e++;
            size_t bl = (size_t)(e - q);
            if (bl >= 64)
                bl = 63;
            memcpy(bracket, q, bl);
            bracket[bl] = '\0';
            if (!*e)
                break;
            p = e + (*e == ')' || *e == ']' ? 1 : 3);
            continue;
        }
        if (strchr(" _-.:*#\t", *p)) {
            p++;
            continue;
        }
        key[o++] = (char)tolower((unsigned char)*p);
        p++;
    }
    key[o] = '\0';
}

const char *imp_alias_find(int indicators, const char *key)
{
    for (const alias *a = indicators ? indicator_aliases : record_aliases; a->key; a++)
        if (!strcmp(a->key, key))
            return a->target;
    return NULL;
}
