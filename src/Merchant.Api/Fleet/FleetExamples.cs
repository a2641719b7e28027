using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Merchant.Api.Fleet;

/// <summary>Realistic examples of the fleet's requests and answers in the OpenAPI document (what ops see in Swagger UI).</summary>
internal sealed class FleetExamples : ISchemaFilter
{
    private const string Slot = """
        {"slot":"A11","cabinet":"A","product_id":1323442,"product_name":"Cola 330ml","stock":1,"capacity":10,"low_stock":true,
         "health":{"status":"fault","floor_status":2,"floor_status_name":"jammed","reason":"jammed (floor_status 2): Goods are Stuck",
                   "since":"2026-11-22T09:14:03Z","failures_while_faulted":0},
         "last_failure":{"at":"2026-11-22T09:14:03Z","reason":"Goods are Stuck","floor_status":2}}
        """;

    private static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(MachineListItem)] = """
            {"machine_no":"16327129","name":"Lobby, building 3","online":true,"operating":true,"slots":12,"slots_in_fault":1,"low_stock":2,
             "today":{"trades":41,"refunds":1,"refunded":"3.00"},"dispensing":"20261122091402000000000007/1"}
            """,
        [typeof(MachineDetail)] = """
            {"machine_no":"16327129","name":"Lobby, building 3","online":true,"operating":true,"low_stock_threshold":2,"cabinets":[{"name":"A","slots":[
            """ + Slot + """
            ]}],"today":{"trades":41,"refunds":1,"refunded":"3.00"},"seen_at":"2026-11-22T09:20:00Z"}
            """,
        [typeof(SlotView)] = Slot,
        [typeof(RestockRequest)] = """{"product_id":1323442,"stock":10,"clear_faults":true}""",
        [typeof(RestockResult)] = """
            {"machine_no":"16327129","scope":"product","restocked":[1323442],"faults_cleared":[1323442],
             "slots":[{"slot":"A11","cabinet":"A","product_id":1323442,"product_name":"Cola 330ml","stock":10,"capacity":10,"low_stock":false,
                       "health":{"status":"ok","floor_status":2,"floor_status_name":"jammed","failures_while_faulted":0,
                                 "cleared_at":"2026-11-22T10:02:11Z","cleared_by":"restock"}}]}
            """,
        [typeof(SlotClearResult)] = """{"cleared":true,"slot":""" + Slot + "}",
        [typeof(TestDispenseRequest)] = """{"slot":"A11","wait":true}""",
        [typeof(TestDispenseView)] = """
            {"test_dispense_id":42,"machine_no":"16327129","slot":"A11","product_id":1323442,"status":"succeeded",
             "requested_at":"2026-11-22T10:05:00Z","started_at":"2026-11-22T10:05:31Z","finished_at":"2026-11-22T10:05:32Z",
             "floor_status":1,"cleared_fault":true}
            """,
        [typeof(PickupCodesRequest)] = """{"product_id":1323442,"count":2,"length":8,"expires_at":"2026-12-31T15:59:59Z"}""",
        [typeof(GeneratedCodes)] = """
            {"machine_no":"16327129","codes_shown":true,"codes":[
              {"pickup_code_id":9001,"product_id":1323442,"code_hint":"318","expires_at":"2026-12-31T15:59:59Z","code":"40512318"},
              {"pickup_code_id":9002,"product_id":1323442,"code_hint":"907","expires_at":"2026-12-31T15:59:59Z","code":"77190907"}]}
            """,
        [typeof(PickupCodeView)] = """
            {"pickup_code_id":9002,"product_id":1323442,"code_hint":"907","status":"unused","quantity":1,"issued_by_us":true,
             "created_at":"2026-11-22T10:10:00Z","expires_at":"2026-12-31T15:59:59Z"}
            """,
        [typeof(CancelCodesRequest)] = """{"all":true,"product_id":1323442}""",
        [typeof(CancelledCodes)] = """{"machine_no":"16327129","pickup_code_ids":[9001,9002]}""",
        [typeof(ReplacementCodeRequest)] = """{"expires_at":"2026-11-29T15:59:59Z"}""",
        [typeof(ReplacementCode)] = """
            {"trade":{"trade_id":"20261122093000000000000011","kind":"pickup","machine_no":"16327129","status":"replaced","amount":"3.00",
                      "refunded_amount":"0.00","currency":"CNY","platform_order_id":88,"created_at":"2026-11-22T09:30:00Z",
                      "lines":[{"line_id":1,"product_id":1323442,"name":"Cola 330ml","price":"3.00","status":"needs_attention",
                                "failure_reason":"Goods are Stuck"}],
                      "status_reason":"replacement pickup code 9003 issued"},
             "pickup_code":{"pickup_code_id":9003,"product_id":1323442,"code_hint":"551","expires_at":"2026-11-29T15:59:59Z","code":"614551"}}
            """,
        [typeof(AlertList)] = """
            {"at":"2026-11-22T10:15:00Z","stale":false,
             "counts":{"machine_offline":1,"slot_fault":1,"low_stock":0,"needs_attention":0,"refund_unconfirmed":0,"total":2},
             "items":[
              {"kind":"machine_offline","machine_no":"16327133","since":"2026-11-22T08:02:00Z","detail":"Car park is offline: its products cannot be bought and nothing dispenses.",
               "action":"Check the machine's power and network. Paid lines wait and are sent once it is back (or refunded after Dispense:SendDeadline)."},
              {"kind":"slot_fault","machine_no":"16327129","since":"2026-11-22T09:14:03Z","slot":"A11","product_id":1323442,
               "detail":"Slot A11 (Cola 330ml) is in fault: jammed (floor_status 2): Goods are Stuck. It is not sold until cleared.",
               "action":"Mend the slot, then POST /api/v1/ops/machines/16327129/test_dispense {\"slot\":\"A11\"} (a success clears it), or POST /api/v1/ops/machines/16327129/slots/A11/clear."}]}
            """,
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var example))
        {
            concrete.Examples = [JsonNode.Parse(example)!];
        }
    }
}
