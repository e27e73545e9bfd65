/*
 * imp_registry: `vernier registry import FILE --kind lab|cmc|standard|crm` —
 * reads a registry (CSV, XLSX or JSON/JSONL) into registry entries
 * (engine/eng_registry.h) and stores it as one version.
 *
 * The file is read by the importers' own readers (imp_csv with its encoding
 * detection, imp_xlsx with its limits, imp_json framing objects as rows), so
 * a registry file is held to the same rules as a project file.  The header
 * row (the first row with two values or more; up to three title rows above
 * it are skipped) maps columns to entry fields through Chinese and English
 * aliases, matched as imp_alias matches headers (case, spaces, '_' and a
 * bracketed unit ignored: "测量范围（K）" is 测量范围 with the unit K):
 *
 *   code        注册号 认可编号 证书编号 编号 标准号 标准编号 标准物质编号
 *               code id number kcdb code accreditation number srm crm number
 *   name        名称 机构名称 实验室名称 标准名称 标准物质名称 name laboratory title
 *   holder      持有单位 保存单位 建标单位 研制单位 nmi nmi code institute producer
 *   aliases     别名 简称 英文名称 aliases acronym
 *   country     国家 country
 *   quantity    量 被测量 测量参数 分析物 quantity measurand analyte
 *   scope       认可范围 检测范围 能力范围 scope
 *   range       测量范围 range ("0.01 K to 1000 K", "83.8～505 K")
 *   range_min   下限 测量范围下限 range min   (range_max: 上限 ...)
 *   unit        单位 unit
 *   uncertainty 不确定度 扩展不确定度 uncertainty expanded uncertainty
 *   unc_unit    不确定度单位 uncertainty unit
 *   k           包含因子 k coverage factor
 *   valid_from  生效日期 认可日期 发布日期 实施日期 valid from publication date
 *   valid_to    有效期至 截止日期 失效日期 废止日期 valid to expiry
 *   status      状态 status        source  来源 source url origin
 *
 * A number may carry its unit in the cell ("0.1 mK", "0.002 %"), which then
 * fills the unit when no column gives one; dates are read as imp_value reads
 * them (2019-07-01, 2019年7月, 2019.07 ...); placeholders (无, N/A, —) are
 * empty.  A column no alias knows is listed in the result and not stored.
 *
 * All or nothing: a bad row fails the file with "FILE:LINE: field 'x': what
 * is wrong" and nothing is stored.  The version is the SHA-256 of the
 * entries' canonical text (eng_reg_canonical): importing the same entries
 * again — from the same file or another format — changes nothing.
 */
#ifndef IMP_REGISTRY_H
#define IMP_REGISTRY_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_store.h"

typedef struct imp_reg_options {
    int kind;             /* ENG_REG_* (required) */
    const char *name;     /* the registry's name; NULL: the file's base name */
    const char *sheet;    /* XLSX: the sheet; NULL: the first */
    const char *encoding; /* CSV: NULL to detect */
    char delimiter;       /* CSV: 0 to detect */
} imp_reg_options;

typedef struct imp_reg_result {
    long id;         /* the registry version stored (or found) */
    int already;     /* the same entries were stored before under this name */
    size_t entries;  /* entries read */
    char sha256[65]; /* the version */
    char *name;      /* the registry's name (malloc'd) */
    char *ignored;   /* columns no alias knows, "; "-joined (malloc'd), NULL when none */
    char *mapping;   /* "column -> field" lines (malloc'd) */
} imp_reg_result;

/* Imports path as described above.  OUT: *out (release with
 * imp_reg_result_release, also after a failure).  Returns ENG_OK,
 * ENG_EUSAGE (an option that does not fit the format), ENG_EINPUT
 * ("FILE:LINE: ..."), ENG_EIO. */
int imp_registry_import(eng_store *st, const char *path, const imp_reg_options *opt,
                        imp_reg_result *out, eng_err *err);
void imp_reg_result_release(imp_reg_result *r);

#endif
