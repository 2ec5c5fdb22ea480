"""The OpenAPI 3.1 description of /api/v1, written by hand (served at /api/v1/openapi.json).

Tests validate real answers against these schemas, so a change to an answer that is not made
here too fails the suite. OpenAPI 3.1 schemas are JSON Schema 2020-12.
"""
from ..rules import roles
from ..rules.categories import PERSON_FLAGS


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses):
    text = {400: "页面已过期（CSRF，code=csrf）：用 GET /me 取新的 csrf_token 后重发",
            401: "未登录（code=login_required）", 403: "角色不对，或须先修改初始密码",
            404: "不存在，或不在您负责的范围内",
            409: "冲突：已缴费（already_paid）或同一 client_id 内容不同（client_id_conflict）",
            422: "内容不正确：errors 按字段给出中文说明"}
    return {str(s): _json(_ref("Error"), text[s]) for s in statuses}


NULLABLE_STR = {"type": ["string", "null"]}
FEN = {"type": "integer", "description": "金额，单位：分"}
KIND = {"type": "string", "enum": ["pension", "medical"], "description": "pension 养老 / medical 医疗"}

LINE_STATE = {
    "type": "object", "additionalProperties": False,
    "required": ["expected", "paid", "receipt_number", "amount_fen", "blocked"],
    "properties": {
        "expected": {"type": "boolean", "description": "本期应缴此险种"},
        "paid": {"type": "boolean"},
        "receipt_number": NULLABLE_STR,
        "amount_fen": {"type": ["integer", "null"]},
        "blocked": {"type": ["string", "null"], "description": "不能缴费的原因"},
    },
}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error", "code"],
        "properties": {
            "error": {"type": "string", "description": "给用户看的中文说明"},
            "code": {"type": "string", "enum": [
                "invalid", "already_paid", "client_id_conflict", "campaign_closed", "conflict", "not_found",
                "forbidden", "login_required", "csrf", "error"]},
            "errors": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "字段路径（如 lines[0].id_number）→ 中文说明"},
        },
    },
    "PaymentLine": {
        "type": "object", "required": ["kind"], "additionalProperties": False,
        "description": ("一项缴费。已在名单上的人用 person_id（手机因此不必保存全村的完整身份证号）；"
                        "否则用 id_number。未登记的身份证号须带 name、address（及 village、phone、relation），"
                        "在同一事务中登记为新参保人员。"),
        "properties": {
            "kind": KIND,
            "person_id": {"type": "integer"},
            "id_number": {"type": "string", "description": "18 位身份证号"},
            "amount_fen": {**FEN, "description": "养老缴费档次（分）；医疗不填，由系统计算"},
            "name": {"type": "string", "maxLength": 32},
            "address": {"type": "string", "maxLength": 128},
            "phone": {"type": "string", "maxLength": 20},
            "village": {"type": "string", "description": "村/社区 12 位代码，负责多个村时必填"},
            "relation": {"type": "string", "description": "与户主关系"},
        },
        "oneOf": [{"required": ["person_id"]}, {"required": ["id_number"]}],
    },
    "PaymentRequest": {
        "type": "object", "required": ["client_id", "lines"], "additionalProperties": False,
        "properties": {
            "client_id": {"type": "string", "format": "uuid",
                          "description": "手机生成的 UUID：整个征缴期内的幂等键"},
            "lines": {"type": "array", "minItems": 1, "maxItems": 50, "items": _ref("PaymentLine")},
            "method": {"type": "string", "enum": ["cash", "wechat", "alipay", "bank"], "default": "cash"},
            "payer_name": {"type": "string", "maxLength": 32},
            "household_id": {"type": "integer", "description": "新参保人员加入的户；不填则新建一户"},
            "expected_total_fen": {**FEN, "description": "手机上向交款人显示的应收金额；与服务器计算不符时 422"},
            "recorded_at": {"type": "string", "format": "date-time",
                            "description": "收款时间（离线时记下）：收据、名单、导出都印这个时间，按该日计入进度；"
                                           "晚于服务器时间 10 分钟以上或早于 7 天前时 422（手机时间不准）"},
        },
    },
    "Receipt": {
        "type": "object", "additionalProperties": False,
        "required": ["receipt_number", "receipt_url", "pdf_url", "verify_url", "client_id", "household_id",
                     "payer_name", "method", "total_fen", "gov_total_fen", "issued_at", "synced_at", "issued_by",
                     "lines"],
        "properties": {
            "receipt_number": {"type": "string", "pattern": r"^\d{4}-(\d{6}|\d{12})-\d{5,}$"},
            "receipt_url": {"type": "string", "format": "uri-reference"},
            "pdf_url": {"type": "string", "format": "uri-reference", "description": "58 mm 热敏纸 PDF"},
            "verify_url": {"type": "string", "format": "uri", "description": "收据二维码中的公开验证网址（带签名）"},
            "client_id": NULLABLE_STR,
            "household_id": {"type": ["integer", "null"]},
            "payer_name": {"type": "string"},
            "method": {"type": "string"},
            "total_fen": {**FEN, "description": "向交款人收取的合计"},
            "gov_total_fen": {**FEN, "description": "政府代缴合计"},
            "issued_at": {"type": "string", "format": "date-time", "description": "收款时间（钱交到协管员手上）"},
            "synced_at": {"type": "string", "format": "date-time", "description": "服务器记录的时间（离线：上传时）"},
            "issued_by": {"type": "string"},
            "lines": {"type": "array", "items": {
                "type": "object", "additionalProperties": False,
                "required": ["person_id", "person_name", "id_masked", "kind", "tier_fen", "amount_fen",
                             "self_fen", "gov_fen", "new_enrollee"],
                "properties": {
                    "person_id": {"type": "integer"}, "person_name": {"type": "string"},
                    "id_masked": {"type": "string", "pattern": r"^\d{6}\*{8}[\dX]{4}$"},
                    "kind": KIND, "tier_fen": {"type": ["integer", "null"]}, "amount_fen": FEN,
                    "self_fen": FEN, "gov_fen": FEN, "new_enrollee": {"type": "boolean"},
                }}},
        },
    },
    "Person": {
        "type": "object", "additionalProperties": False,
        "required": ["person_id", "name", "id_masked", "relation", "sex", "birth_date", "village",
                     "household_id", "new_enrollee"],
        "properties": {
            "person_id": {"type": "integer"}, "name": {"type": "string"},
            "id_masked": {"type": "string", "pattern": r"^\d{6}\*{8}[\dX]{4}$"},
            "relation": {"type": "string"}, "sex": {"type": "string", "enum": ["M", "F"]},
            "birth_date": {"type": "string", "format": "date"}, "village": {"type": "string"},
            "household_id": {"type": "integer"}, "new_enrollee": {"type": "boolean"},
        },
    },
    "PersonRequest": {
        "type": "object", "required": ["village", "name", "id_number"],
        "properties": {
            "village": {"type": "string"}, "name": {"type": "string", "maxLength": 32},
            "id_number": {"type": "string"}, "address": {"type": "string"}, "phone": {"type": "string"},
            "relation": {"type": "string", "default": "户主"},
            "household_id": {"type": "integer", "description": "加入的户；不填则新建一户并为户主"},
            "household_number": {"type": "string"},
            "flags": {"type": "object", "additionalProperties": {"type": "boolean"}, "description": (
                ", ".join(PERSON_FLAGS))},
        },
    },
    "Household": {
        "type": "object", "additionalProperties": False,
        "required": ["household_id", "number", "address", "village", "head_name", "done", "unpaid_count",
                     "members"],
        "properties": {
            "household_id": {"type": "integer"}, "number": {"type": "string"},
            "address": {"type": "string"}, "village": {"type": "string"}, "head_name": {"type": "string"},
            "done": {"type": "boolean"}, "unpaid_count": {"type": "integer"},
            "members": {"type": "array", "items": _ref("Member")},
        },
    },
    "Member": {
        "type": "object", "additionalProperties": False,
        "required": ["person_id", "name", "relation", "sex", "age", "id_masked", "new_enrollee", "pension",
                     "medical", "medical_self_fen", "medical_gov_fen", "pension_gov_full",
                     "pension_gov_cap_fen", "warnings"],
        "properties": {
            "person_id": {"type": "integer"}, "name": {"type": "string"}, "relation": {"type": "string"},
            "sex": {"type": "string", "enum": ["M", "F"]}, "age": {"type": "integer"},
            "id_masked": {"type": "string"}, "new_enrollee": {"type": "boolean"},
            "pension": LINE_STATE, "medical": LINE_STATE,
            "medical_self_fen": FEN, "medical_gov_fen": FEN,
            "pension_gov_full": {"type": "boolean", "description": "政府全额代缴养老"},
            "pension_gov_cap_fen": {**FEN, "description": "政府代缴养老的上限；自缴 = 档次 - min(档次, 上限)"},
            "warnings": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Worklist": {
        "type": "object", "additionalProperties": False,
        "required": ["village", "status", "page", "pages", "total", "counts", "pension_tiers", "households"],
        "properties": {
            "village": _ref("Village"),
            "status": {"type": "string", "enum": ["unpaid", "paid", "all"]},
            "page": {"type": "integer", "minimum": 1}, "pages": {"type": "integer", "minimum": 1},
            "total": {"type": "integer"},
            "counts": {"type": "object", "required": ["unpaid", "paid", "all"],
                       "additionalProperties": {"type": "integer"}},
            "pension_tiers": {"type": "array", "items": FEN},
            "households": {"type": "array", "items": _ref("Household")},
        },
    },
    "Village": {
        "type": "object", "additionalProperties": False, "required": ["code", "name", "full_name"],
        "properties": {"code": {"type": "string", "pattern": r"^\d{12}$"}, "name": {"type": "string"},
                       "full_name": {"type": "string"}},
    },
    "Me": {
        "type": "object", "additionalProperties": False,
        "required": ["user", "csrf_token", "villages", "campaign"],
        "properties": {
            "user": {"type": "object", "required": ["id", "username", "name", "role"], "properties": {
                "id": {"type": "integer"}, "username": {"type": "string"}, "name": {"type": "string"},
                "role": {"type": "string", "enum": list(roles.ALL)}}},
            "csrf_token": {"type": "string", "description": "放在 X-CSRFToken 请求头中"},
            "villages": {"type": "array", "items": _ref("Village")},
            "campaign": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["year", "name", "open", "pension_tiers"], "properties": {
                    "year": {"type": "integer"}, "name": {"type": "string"}, "open": {"type": "boolean"},
                    "pension_tiers": {"type": "array", "items": FEN}}}]},
        },
    },
}

CSRF_HEADER = {"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"},
               "description": ("页面 <meta name=\"csrf-token\"> 或 GET /me 的 csrf_token；"
                               "不过期（离线排队的请求可能几小时后才发出）")}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "两险征缴 API", "version": "1.0.0",
        "description": ("协管员手机（离线待同步队列）使用的接口。登录会话认证（Cookie），POST 须带 X-CSRFToken。"
                        "金额一律为整数分。"),
    },
    "servers": [{"url": "/api/v1"}],
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
    },
    "security": [{"session": []}],
    "paths": {
        "/openapi.json": {"get": {
            "summary": "本文档", "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}}},
        "/me": {"get": {
            "summary": "当前用户、新的 CSRF 令牌、负责的村/社区、征缴期",
            "responses": {"200": _json(_ref("Me"), "当前用户"), **_errors(401)}}},
        "/villages/{code}/worklist": {"get": {
            "summary": "一个村/社区的名单（户、成员、已缴/未缴、价格）",
            "parameters": [
                {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["unpaid", "paid", "all"],
                                                              "default": "all"}},
                {"name": "page", "in": "query", "schema": {"type": "integer", "default": 1}},
                {"name": "per_page", "in": "query", "schema": {"type": "integer", "default": 100, "maximum": 500}},
            ],
            "responses": {"200": _json(_ref("Worklist"), "名单"), **_errors(401, 404)}}},
        "/households/{household_id}": {"get": {
            "summary": "一户：成员、缴费状态与价格",
            "parameters": [{"name": "household_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _json(_ref("Household"), "一户"), **_errors(401, 404)}}},
        "/people/lookup": {"post": {
            "summary": "按完整身份证号查找（号码放在请求体里，不进网址和日志）",
            "parameters": [CSRF_HEADER],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["id_number"], "properties": {"id_number": {"type": "string"}}}}}},
            "responses": {"200": _json(_ref("Person"), "找到"), **_errors(400, 401, 404, 422)}}},
        "/people": {"post": {
            "summary": "登记参保人（同身份证号全区只能登记一次）",
            "parameters": [CSRF_HEADER],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("PersonRequest")}}},
            "responses": {"201": _json(_ref("Person"), "已登记"), **_errors(400, 401, 404, 422)}}},
        "/payments": {"post": {
            "summary": "收费并开具收据（幂等：同一 client_id 同一内容重发，得到同一张收据）",
            "parameters": [CSRF_HEADER],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("PaymentRequest")}}},
            "responses": {
                "201": {**_json(_ref("Receipt"), "已开具收据；重发时回答相同，并带 Idempotent-Replayed: true"),
                        "headers": {"Idempotent-Replayed": {"schema": {"type": "string", "enum": ["true"]}},
                                    "Location": {"schema": {"type": "string"}}}},
                **_errors(400, 401, 403, 404, 409, 422)}}},
    },
}
