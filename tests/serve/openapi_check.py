#!/usr/bin/env python3
"""openapi_check.py -- validates JSON values against the schemas of credex's
OpenAPI document (runtime/pages/openapi.json), with python3's standard
library only: no network, no pip. It knows the JSON Schema subset the
document uses and refuses a schema with any other keyword, so the document
cannot rely on a check this file does not make.

  openapi_check.py DOC --lint
      DOC parses, is OpenAPI 3.1, every $ref resolves, every schema uses
      only the subset, every operation has a unique operationId,
      responses, and a parameter for each {name} of its path.
  openapi_check.py DOC --schema NAME [FILE]
      every line of FILE (JSON Lines; default stdin) against
      #/components/schemas/NAME.
  openapi_check.py DOC --response PATH METHOD STATUS [FILE]
      the whole of FILE (one JSON value) against that response's
      application/json schema, as the service tests will.

Prints one line per failure, "FILE:LINE: POINTER: what", and exits 1 when
any value fails, 2 on a usage or document error.
"""
import json
import re
import sys

# Keywords that check something, and annotations that check nothing.
CHECKS = {"type", "properties", "required", "additionalProperties", "items", "enum", "const",
          "oneOf", "anyOf", "allOf", "$ref", "pattern", "minimum", "maximum", "minItems",
          "maxItems"}
ANNOTATIONS = {"description", "title", "examples", "default", "deprecated", "$comment"}
TYPES = {"null", "boolean", "object", "array", "number", "integer", "string"}


class DocumentError(Exception):
    """The document itself is wrong (a $ref that does not resolve, a keyword
    outside the subset)."""


def pointer_escape(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def resolve(doc, ref):
    """The value a local $ref ("#/a/b") names in doc."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        raise DocumentError("$ref %r: only local references (#/...) are allowed" % (ref,))
    node = doc
    for raw in ref[1:].split("/")[1:] if ref != "#" else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise DocumentError("$ref %s does not resolve (no %r)" % (ref, token))
    return node


def type_of(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    raise TypeError(value)


def same(a, b):
    """JSON equality: 1 == 1.0, but true != 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


class Validator:
    def __init__(self, doc):
        self.doc = doc

    def errors(self, value, schema, where=""):
        """A list of "POINTER: what" for each way value fails schema."""
        if schema is True or schema == {}:
            return []
        if schema is False:
            return ["%s: no value is allowed here" % (where or "/")]
        if not isinstance(schema, dict):
            raise DocumentError("a schema must be an object or a boolean, not %r" % (schema,))
        unknown = set(schema) - CHECKS - ANNOTATIONS
        if unknown:
            raise DocumentError("schema keyword(s) outside the subset: %s" % ", ".join(sorted(unknown)))
        out = []
        at = where or "/"
        if "$ref" in schema:
            out += self.errors(value, resolve(self.doc, schema["$ref"]), where)
        if "type" in schema:
            allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            actual = type_of(value)
            if actual not in allowed and not (actual == "integer" and "number" in allowed):
                return out + ["%s: %s is not of type %s" % (at, actual, " or ".join(allowed))]
        if "const" in schema and not same(value, schema["const"]):
            out.append("%s: %s is not %s" % (at, json.dumps(value), json.dumps(schema["const"])))
        if "enum" in schema and not any(same(value, e) for e in schema["enum"]):
            out.append("%s: %s is not one of %s" % (at, json.dumps(value), json.dumps(schema["enum"])))
        if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
            out.append("%s: %s does not match %s" % (at, json.dumps(value), schema["pattern"]))
        if type_of(value) in ("integer", "number"):
            if "minimum" in schema and value < schema["minimum"]:
                out.append("%s: %s is less than %s" % (at, value, schema["minimum"]))
            if "maximum" in schema and value > schema["maximum"]:
                out.append("%s: %s is more than %s" % (at, value, schema["maximum"]))
        if isinstance(value, dict):
            out += self.object_errors(value, schema, where)
        if isinstance(value, list):
            if "minItems" in schema and len(value) < schema["minItems"]:
                out.append("%s: %d items, fewer than %d" % (at, len(value), schema["minItems"]))
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                out.append("%s: %d items, more than %d" % (at, len(value), schema["maxItems"]))
            if "items" in schema:
                for i, item in enumerate(value):
                    out += self.errors(item, schema["items"], "%s/%d" % (where, i))
        for sub in schema.get("allOf", []):
            out += self.errors(value, sub, where)
        if "anyOf" in schema:
            tries = [self.errors(value, sub, where) for sub in schema["anyOf"]]
            if all(tries):
                out.append("%s: matches none of anyOf (%s)" % (at, "; ".join(t[0] for t in tries)))
        if "oneOf" in schema:
            tries = [self.errors(value, sub, where) for sub in schema["oneOf"]]
            matched = sum(1 for t in tries if not t)
            if matched == 0:
                out.append("%s: matches none of oneOf (%s)" % (at, "; ".join(t[0] for t in tries)))
            elif matched > 1:
                out.append("%s: matches %d of oneOf, exactly one expected" % (at, matched))
        return out

    def object_errors(self, value, schema, where):
        out = []
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                out.append("%s: required member %r is missing" % (where or "/", name))
        for name, member in value.items():
            here = "%s/%s" % (where, pointer_escape(name))
            if name in props:
                out += self.errors(member, props[name], here)
            elif "additionalProperties" in schema:
                extra = schema["additionalProperties"]
                if extra is False:
                    out.append("%s: member %r is not allowed" % (here, name))
                else:
                    out += self.errors(member, extra, here)
        return out


def walk_schemas(node, visit, where="#"):
    """Calls visit(schema, pointer) for every schema under components and
    under each content/parameter schema of the document."""
    if isinstance(node, dict):
        for key, sub in node.items():
            here = "%s/%s" % (where, pointer_escape(key))
            if key in ("schema",) or (where.endswith("/components/schemas")):
                visit(sub, here)
            else:
                walk_schemas(sub, visit, here)
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            walk_schemas(sub, visit, "%s/%d" % (where, i))


def lint(doc):
    """Every problem of the document as a whole, as "POINTER: what"."""
    problems = []
    if doc.get("openapi", "")[:4] != "3.1.":
        problems.append("#/openapi: expected 3.1.x")
    for key in ("info", "paths", "components"):
        if not isinstance(doc.get(key), dict):
            problems.append("#/%s: missing" % key)

    def refs(node, where):
        if isinstance(node, dict):
            if "$ref" in node:
                try:
                    resolve(doc, node["$ref"])
                except DocumentError as e:
                    problems.append("%s: %s" % (where, e))
            for key, sub in node.items():
                refs(sub, "%s/%s" % (where, pointer_escape(key)))
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                refs(sub, "%s/%d" % (where, i))

    refs(doc, "#")

    def subset(schema, where):
        if isinstance(schema, bool):
            return
        if not isinstance(schema, dict):
            problems.append("%s: a schema must be an object" % where)
            return
        for key in set(schema) - CHECKS - ANNOTATIONS:
            problems.append("%s: keyword %r is outside the checker's subset" % (where, key))
        types = schema.get("type", [])
        for t in types if isinstance(types, list) else [types]:
            if t not in TYPES:
                problems.append("%s: unknown type %r" % (where, t))
        if "pattern" in schema:
            try:
                re.compile(schema["pattern"])
            except re.error as e:
                problems.append("%s: pattern does not compile: %s" % (where, e))
        for key in ("properties",):
            for name, sub in schema.get(key, {}).items():
                subset(sub, "%s/%s/%s" % (where, key, pointer_escape(name)))
        for key in ("items", "additionalProperties"):
            if key in schema:
                subset(schema[key], "%s/%s" % (where, key))
        for key in ("oneOf", "anyOf", "allOf"):
            for i, sub in enumerate(schema.get(key, [])):
                subset(sub, "%s/%s/%d" % (where, key, i))

    walk_schemas(doc, subset)
    ids = {}
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            where = "#/paths/%s/%s" % (pointer_escape(path), method)
            if not isinstance(op, dict) or not op.get("responses"):
                problems.append("%s: an operation needs responses" % where)
                continue
            declared = {p.get("name") for p in op.get("parameters", []) if p.get("in") == "path"}
            for name in re.findall(r"\{([^}]+)\}", path):
                if name not in declared:
                    problems.append("%s: no path parameter %r" % (where, name))
            opid = op.get("operationId")
            if not opid:
                problems.append("%s: no operationId" % where)
            elif opid in ids:
                problems.append("%s: operationId %r also at %s" % (where, opid, ids[opid]))
            else:
                ids[opid] = where
    return problems


def response_schema(doc, path, method, status):
    op = doc["paths"].get(path, {}).get(method.lower())
    if op is None:
        raise DocumentError("no operation %s %s" % (method.upper(), path))
    response = op["responses"].get(str(status))
    if response is None:
        raise DocumentError("%s %s has no response %s" % (method.upper(), path, status))
    if "$ref" in response:
        response = resolve(doc, response["$ref"])
    try:
        return response["content"]["application/json"]["schema"]
    except KeyError:
        raise DocumentError("%s %s %s has no application/json body" % (method.upper(), path, status))


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        try:
            doc = json.load(f)
        except json.JSONDecodeError as e:
            print("%s:%d:%d: not JSON: %s" % (argv[1], e.lineno, e.colno, e.msg))
            return 2
    try:
        if argv[2] == "--lint":
            problems = lint(doc)
            for p in problems:
                print("%s: %s" % (argv[1], p))
            return 2 if problems else 0
        if argv[2] == "--schema" and len(argv) in (4, 5):
            schema, rest, whole = {"$ref": "#/components/schemas/" + argv[3]}, argv[4:], False
            resolve(doc, schema["$ref"])
        elif argv[2] == "--response" and len(argv) in (6, 7):
            schema, rest, whole = response_schema(doc, argv[3], argv[4], argv[5]), argv[6:], True
        else:
            sys.stderr.write(__doc__)
            return 2
        name = rest[0] if rest else "<stdin>"
        text = open(rest[0], encoding="utf-8").read() if rest else sys.stdin.read()
        validator = Validator(doc)
        lines = [(1, text)] if whole else [(i, l) for i, l in enumerate(text.split("\n"), 1) if l.strip()]
        if not lines:
            print("%s: no JSON value to check" % name)
            return 1
        failed = 0
        for lineno, line in lines:
            try:
                value = json.loads(line)
            except json.JSONDecodeError as e:
                print("%s:%d: not JSON: %s" % (name, lineno, e.msg))
                failed += 1
                continue
            for problem in validator.errors(value, schema):
                print("%s:%d: %s" % (name, lineno, problem))
                failed += 1
        return 1 if failed else 0
    except DocumentError as e:
        print("%s: %s" % (argv[1], e))
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
