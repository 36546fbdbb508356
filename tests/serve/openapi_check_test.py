#!/usr/bin/env python3
"""openapi_check_test.py -- proves openapi_check.py can fail: for each
keyword of its subset a value that passes and a mutated value that fails
at the expected JSON Pointer; the document checks (a $ref that does not
resolve, a keyword outside the subset); and real decisions of
tests/unit/golden/decisions.jsonl, mutated, against the real document.
Run: openapi_check_test.py SRC (the source tree)."""
import copy
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openapi_check as oc  # noqa: E402

SRC = os.environ.get("SRC", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

DOC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {},
    "components": {"schemas": {
        "Id": {"type": "string", "pattern": "^[a-z]+$"},
        "Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
                 "required": ["children"], "additionalProperties": False},
    }},
}


class Keywords(unittest.TestCase):
    """Each keyword: the value passes, the mutation fails where expected."""

    def check(self, schema, good, bad, expect):
        v = oc.Validator(DOC)
        self.assertEqual(v.errors(good, schema), [], "the good value")
        errors = v.errors(bad, schema)
        self.assertTrue(errors, "the mutated value must fail")
        self.assertTrue(any(expect in e for e in errors), "%r in %r" % (expect, errors))

    def test_type(self):
        self.check({"type": "string"}, "a", 1, "/: integer is not of type string")
        self.check({"type": "object"}, {}, [], "array is not of type object")
        self.check({"type": "array"}, [], {}, "object is not of type array")
        self.check({"type": "boolean"}, True, 0, "integer is not of type boolean")

    def test_integer_and_number(self):
        self.check({"type": "integer"}, 3, 3.5, "number is not of type integer")
        self.check({"type": "integer"}, 3, True, "boolean is not of type integer")
        self.check({"type": "number"}, 3.5, "3.5", "string is not of type number")
        self.assertEqual(oc.Validator(DOC).errors(2, {"type": "number"}), [], "an integer is a number")

    def test_nullable_by_type_array(self):
        self.check({"type": ["string", "null"]}, None, 0, "integer is not of type string or null")
        self.check({"type": "string"}, "x", None, "null is not of type string")

    def test_properties(self):
        self.check({"type": "object", "properties": {"a": {"type": "integer"}}}, {"a": 1}, {"a": "1"}, "/a: string is not of type integer")

    def test_required(self):
        self.check({"type": "object", "required": ["a"]}, {"a": 1}, {"b": 1}, "required member 'a' is missing")

    def test_additional_properties_false(self):
        self.check({"type": "object", "properties": {"a": {}}, "additionalProperties": False}, {"a": 1}, {"a": 1, "b": 2},
                   "/b: member 'b' is not allowed")

    def test_additional_properties_schema(self):
        self.check({"type": "object", "additionalProperties": {"type": "string"}}, {"x": "1"}, {"x": 1}, "/x: integer is not of type string")

    def test_items(self):
        self.check({"type": "array", "items": {"type": "string"}}, ["a", "b"], ["a", 2], "/1: integer is not of type string")

    def test_min_max_items(self):
        self.check({"type": "array", "minItems": 1}, [1], [], "0 items, fewer than 1")
        self.check({"type": "array", "maxItems": 1}, [1], [1, 2], "2 items, more than 1")

    def test_enum(self):
        self.check({"enum": ["met", "error"]}, "met", "mett", '"mett" is not one of')

    def test_const(self):
        self.check({"const": "audit"}, "audit", "equiv", '"equiv" is not "audit"')
        self.check({"const": 1}, 1, True, "true is not 1")

    def test_pattern(self):
        self.check({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}, "2026-06-01", "2026-6-1", "does not match")

    def test_minimum_maximum(self):
        self.check({"type": "integer", "minimum": 1}, 1, 0, "0 is less than 1")
        self.check({"type": "integer", "maximum": 1000}, 1000, 1001, "1001 is more than 1000")

    def test_one_of(self):
        s = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
        self.check(s, "a", None, "matches none of oneOf")
        self.check({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, -1, 1, "matches 2 of oneOf")

    def test_any_of(self):
        self.check({"anyOf": [{"type": "string"}, {"type": "integer"}]}, 1, [], "matches none of anyOf")

    def test_all_of(self):
        self.check({"allOf": [{"type": "integer"}, {"minimum": 5}]}, 5, 4, "4 is less than 5")

    def test_ref(self):
        self.check({"$ref": "#/components/schemas/Id"}, "abc", "ABC", '"ABC" does not match')

    def test_ref_recursive_pointer(self):
        good = {"children": [{"children": []}]}
        bad = {"children": [{"children": [{"kids": []}]}]}
        self.check({"$ref": "#/components/schemas/Node"}, good, bad, "/children/0/children/0: required member 'children' is missing")

    def test_pointer_escapes(self):
        self.check({"type": "object", "additionalProperties": {"type": "string"}}, {"a/b": "x"}, {"a/b~": 1}, "/a~1b~0: integer")


class Document(unittest.TestCase):
    def test_unresolved_ref(self):
        doc = copy.deepcopy(DOC)
        doc["components"]["schemas"]["Bad"] = {"$ref": "#/components/schemas/Nope"}
        self.assertTrue(any("does not resolve" in p for p in oc.lint(doc)))
        with self.assertRaises(oc.DocumentError):
            oc.Validator(doc).errors(1, {"$ref": "#/components/schemas/Nope"})

    def test_keyword_outside_subset(self):
        doc = copy.deepcopy(DOC)
        doc["components"]["schemas"]["Bad"] = {"type": "string", "minLength": 1}
        self.assertIn("#/components/schemas/Bad: keyword 'minLength' is outside the checker's subset", oc.lint(doc))
        with self.assertRaises(oc.DocumentError):
            oc.Validator(doc).errors("x", {"minLength": 1})

    def test_openapi_version_and_operation_ids(self):
        doc = copy.deepcopy(DOC)
        doc["openapi"] = "3.0.3"
        doc["paths"] = {"/a": {"get": {"operationId": "x", "responses": {"200": {"description": "d"}}}},
                        "/b": {"get": {"operationId": "x", "responses": {"200": {"description": "d"}}}},
                        "/c": {"get": {"operationId": "y"}},
                        "/d/{id}": {"get": {"operationId": "z", "responses": {"200": {"description": "d"}}}}}
        problems = oc.lint(doc)
        self.assertIn("#/openapi: expected 3.1.x", problems)
        self.assertTrue(any("operationId 'x' also at" in p for p in problems), problems)
        self.assertTrue(any("~1c/get: an operation needs responses" in p for p in problems), problems)
        self.assertIn("#/paths/~1d~1{id}/get: no path parameter 'id'", problems)

    def test_good_document(self):
        self.assertEqual(oc.lint(DOC), [])


class RealDecisions(unittest.TestCase):
    """The real document against a real decision of each kind, mutated."""

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(SRC, "runtime", "pages", "openapi.json"), encoding="utf-8") as f:
            cls.doc = json.load(f)
        cls.v = oc.Validator(cls.doc)
        with open(os.path.join(SRC, "tests", "unit", "golden", "decisions.jsonl"), encoding="utf-8") as f:
            cls.decisions = [json.loads(line) for line in f if line.strip()]

    def first(self, kind):
        return copy.deepcopy(next(d for d in self.decisions if d["kind"] == kind))

    def fails(self, value, expect):
        errors = self.v.errors(value, {"$ref": "#/components/schemas/Decision"})
        self.assertTrue(any(expect in e for e in errors), "%r in %r" % (expect, errors))

    def test_each_kind_passes(self):
        for kind in ("audit", "equiv", "transfer"):
            self.assertEqual(self.v.errors(self.first(kind), {"$ref": "#/components/schemas/Decision"}), [], kind)

    def test_mutations_fail(self):
        d = self.first("audit")
        del d["trace"]
        self.fails(d, "required member 'trace' is missing")
        d = self.first("audit")
        d["status"] = "accepted"
        self.fails(d, '"accepted" is not one of')
        d = self.first("transfer")
        del d["near_misses"]
        self.fails(d, "required member 'near_misses' is missing")
        d = self.first("equiv")
        d["as_of"] = "1 June 2026"
        self.fails(d, '"1 June 2026" does not match')
        d = self.first("audit")
        d["trace"]["children"][0]["line"] = 0
        self.fails(d, "/trace/children/0/line: 0 is less than 1")
        d = self.first("audit")
        d["used"][0]["via"] = "magic"
        self.fails(d, "/used/0/via")
        d = self.first("audit")
        d["extra"] = 1
        self.fails(d, "member 'extra' is not allowed")

    def test_error_shape(self):
        schema = {"$ref": "#/components/schemas/Error"}
        good = {"error": {"code": "not_found", "message": "unknown holder 'h-tx-001'; did you mean 'h-tx-0001'?", "pointer": "/holder"}}
        self.assertEqual(self.v.errors(good, schema), [])
        bad = copy.deepcopy(good)
        del bad["error"]["pointer"]
        self.assertTrue(self.v.errors(bad, schema))


if __name__ == "__main__":
    result = unittest.main(argv=[sys.argv[0], "-q"], exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
