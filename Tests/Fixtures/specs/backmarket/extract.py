#!/usr/bin/env python3
"""Extracts the Back Market schemas the tests need from the published OpenAPI file.

Usage: extract.py back-market-openapi-original.yml OUTDIR
Keeps only the validation keywords (type, enum, required, maxLength, minProperties, nullable, format,
properties, items); `$ref`s are resolved inline. Enum values are copied verbatim (order and spelling).
"""
import json, sys, yaml

KEEP = ["type", "nullable", "format", "enum", "required", "maxLength", "minProperties", "properties", "items"]

def main(source, outdir):
    spec = yaml.safe_load(open(source, encoding="utf-8"))
    schemas = spec["components"]["schemas"]

    def resolve(node):
        if "$ref" in node:
            name = node["$ref"].split("/")[-1]
            return resolve(schemas[name])
        out = {}
        for key in KEEP:
            if key not in node:
                continue
            value = node[key]
            if key == "properties":
                value = {name: resolve(sub) for name, sub in value.items()}
            elif key == "items":
                value = resolve(value)
            out[key] = value
        return out

    paths = spec["paths"]
    patch = paths["/ws/orderlines/{orderline_id}"]["patch"]
    outputs = {
        "UpdateOrder": ("components.schemas.UpdateOrder", resolve(schemas["UpdateOrder"])),
        "Order": ("components.schemas.Order", resolve(schemas["Order"])),
        "OrderLine": ("components.schemas.OrderLine", resolve(schemas["OrderLine"])),
        "Shipper": ("components.schemas.Shipper", resolve(schemas["Shipper"])),
        "OrderState": ("components.schemas.OrderState", resolve(schemas["OrderState"])),
        "OrderLineState": ("components.schemas.OrderLineState", resolve(schemas["OrderLineState"])),
        "OrderlinePatch": ("paths./ws/orderlines/{orderline_id}.patch.requestBody",
                           resolve(patch["requestBody"]["content"]["application/json"]["schema"])),
        "OrderlinePatchReply": ("paths./ws/orderlines/{orderline_id}.patch.responses.200",
                                resolve(patch["responses"]["200"]["content"]["application/json"]["schema"])),
        "OrderList": ("paths./ws/orders.get.responses.200",
                      resolve(paths["/ws/orders"]["get"]["responses"]["200"]["content"]["application/json"]["schema"])),
        "CareFolder": ("components.schemas.careFolder", resolve(schemas["careFolder"])),
        "CareFolderList": ("paths./ws/sav.get.responses.200",
                           resolve(paths["/ws/sav"]["get"]["responses"]["200"]["content"]["application/json"]["schema"])),
    }
    for name, (origin, schema) in outputs.items():
        document = {"source": origin, "schema": schema}
        with open(f"{outdir}/{name}.json", "w", encoding="utf-8") as f:
            json.dump(document, f, ensure_ascii=False, indent=2)
            f.write("\n")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
