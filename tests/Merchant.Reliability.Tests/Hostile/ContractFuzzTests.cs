using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Merchant.Reliability.Tests.Infrastructure;
using Merchant.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Merchant.Reliability.Tests.Hostile;

/// <summary>
/// Fuzzing read off the contract: every operation of docs/openapi.json gets hostile variants generated from its
/// parameters and request schema — wrong types, unknown, duplicate and missing members, boundary numbers, odd charsets
/// and bytes, oversize strings, junk path, query and header values, bad keys, wrong methods — sent with a key of its
/// scope. Every answer must be a 4xx problem (the strict edge's own status and code where the variant decides it) and
/// nothing live may be written. An operation added to the document is fuzzed without touching this test; FUZZ_SEED
/// replays or varies a run.
/// </summary>
[Collection("edges")]
public sealed class ContractFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    public const int DefaultSeed = 20261204;
    private const int CasesPerOperation = 200;
    // A bound, not a speed: about 50 s on a quiet 2-core machine; a starved one still sends every case.
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(5);

    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(databasePrefix: "contract");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Every_operation_in_the_contract_refuses_its_hostile_variants_with_4xx_problems_and_writes_nothing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), CultureInfo.InvariantCulture, out var chosen) ? chosen : DefaultSeed;
        var contract = Contract.Load(Path.Combine(ApiProcess.RepositoryRoot(), "docs", "openapi.json"));
        var machine = await _rig.Simulator.CreateMachineAsync(products: 2, pickupCodes: true);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        var variants = new VariantGenerator(new Random(seed), new World(machine.MachineNo, machine.Products[0].ProductId, trade.TradeId), contract)
            .Generate(CasesPerOperation);
        var total = contract.Operations.Count * CasesPerOperation;
        var before = await State.ReadAsync(_rig.ConnectionString);
        var failures = new ConcurrentQueue<string>();
        var byStatus = new ConcurrentDictionary<int, int>();
        var byOperation = new ConcurrentDictionary<string, int>();
        var clock = Stopwatch.StartNew();
        using var client = HostileAnswers.Client(_rig.Shop.Storefront.BaseAddress!);
        // Connections the server closes after an oversized upload stay out of the pool the other cases use.
        using var bulky = HostileAnswers.Client(_rig.Shop.Storefront.BaseAddress!);

        await Parallel.ForEachAsync(variants, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (variant, _) =>
        {
            if (clock.Elapsed > Budget)
            {
                return;
            }

            HttpResponseMessage response;
            try
            {
                response = await HostileAnswers.SendAsync(variant.Oversized ? bulky : client, variant.Build, variant.Oversized);
            }
            catch (HttpRequestException e)
            {
                // The server may close an oversized upload before the client finished sending it; anything else deserves an answer.
                byStatus.AddOrUpdate(-1, 1, (_, n) => n + 1);
                byOperation.AddOrUpdate(variant.Operation, 1, (_, n) => n + 1);
                if (!variant.Oversized)
                {
                    failures.Enqueue($"{variant.Operation} [{variant.Family}]: {Line(variant)} → no answer ({e.HttpRequestError}) :: connection closed");
                }

                return;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
                byOperation.AddOrUpdate(variant.Operation, 1, (_, n) => n + 1);
                var body = await response.Content.ReadAsStringAsync();
                var problem = HostileAnswers.Judge(variant.Path, variant.MayAccept, response, status, body)
                    ?? (status >= 400 ? variant.Expect.Check(status, body) : null);
                if (problem is not null)
                {
                    failures.Enqueue($"{variant.Operation} [{variant.Family}]: {Line(variant)} → {status} {HostileAnswers.Shorten(body)} :: {problem}");
                }
            }
        });
        var changes = await State.ChangesAsync(_rig.ConnectionString, before);
        var sent = byOperation.Values.Sum();
        var statuses = string.Join(", ", byStatus.OrderBy(s => s.Key).Select(s => $"{s.Key}:{s.Value}"));
        Figures.Add("contract_fuzz.cases", sent);
        Figures.Note("contract_fuzz", $"{contract.Operations.Count} operations, {sent} of {total} cases in {clock.Elapsed.TotalSeconds:0.0}s "
            + $"(seed {seed}); statuses {statuses}; {failures.Count} failure(s); {changes.RefusalRecords} refusal record(s)");
        output.WriteLine($"contract fuzz: seed {seed}, {contract.Operations.Count} operations, {sent} of {total} cases sent in {clock.Elapsed.TotalSeconds:0.0}s");
        output.WriteLine("statuses: " + statuses);
        output.WriteLine("per operation: " + string.Join(", ", contract.Operations.Select(o => $"{o.Name}={byOperation.GetValueOrDefault(o.Name)}")));
        output.WriteLine($"refusal records (well-formed requests the platform refused, left rejected by design): {changes.RefusalRecords}");
        foreach (var failure in failures.Take(40))
        {
            output.WriteLine(failure);
        }

        contract.Operations.Where(o => byOperation.GetValueOrDefault(o.Name) < CasesPerOperation / 3).Select(o => o.Name)
            .ShouldBeEmpty("operations that got too few cases within the time budget");
        failures.ShouldBeEmpty($"{failures.Count} of {sent} hostile requests were not answered as the contract says (seed {seed}):\n"
            + string.Join("\n", failures.GroupBy(f => f[..f.IndexOf('#', StringComparison.Ordinal)]).Select(g => $"{g.Count()}× {g.First()}").Take(30)));
        changes.Violations.ShouldBeEmpty("a refused request wrote live state");
        var after = await _rig.Shop.TradeAsync(trade.TradeId);
        after.Status.ShouldBe("awaiting_payment");
        after.Payment!.Status.ShouldBe("pending");
    }

    private static string Line(Variant variant) =>
        $"{variant.Method} {HostileAnswers.Shorten(variant.Path)} {string.Join(" ", variant.Headers.Select(h => $"{h.Name}: {HostileAnswers.Shorten(h.Value)}"))} "
        + $"{variant.ContentType} {HostileAnswers.Shorten(variant.Describe())}";

    public sealed record World(string MachineNo, long ProductId, string TradeId);

    /// <summary>What a variant's answer must be beyond a clean 4xx problem: a status, a code, words in the detail.</summary>
    public sealed record Expect(int? Status = null, string? Code = null, string? DetailContains = null)
    {
        public static readonly Expect Refusal = new();

        public string? Check(int status, string body)
        {
            if (Status is { } expected && status != expected)
            {
                return $"expected {expected}";
            }

            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (Code is not null && root.GetProperty("code").GetString() != Code)
            {
                return $"expected code {Code}";
            }

            return DetailContains is not null && !(root.TryGetProperty("detail", out var detail) && detail.GetString()!.Contains(DetailContains, StringComparison.Ordinal))
                ? $"expected a detail naming \"{DetailContains}\""
                : null;
        }
    }

    /// <summary>One hostile request. <see cref="MayAccept"/>: a read (GET) that may legitimately answer 2xx; never 5xx, never a write.</summary>
    public sealed record Variant(string Operation, string Family, HttpMethod Method, string Path, string? Key, byte[]? Body, string? ContentType,
        IReadOnlyList<(string Name, string Value)> Headers, Expect Expect, bool MayAccept = false, bool Oversized = false)
    {
        public HttpRequestMessage Build() => HostileAnswers.Request(Method, Path, Key, Headers, Body, ContentType);

        public string Describe() => Body is null ? "(no body)" : Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 400)));
    }

    public sealed record Parameter(string Name, string In, bool Required, JsonObject Schema);

    /// <summary>An operation of the document; <see cref="Scope"/> is null for the callbacks, which authenticate themselves.</summary>
    public sealed record Operation(string Method, string Template, string? Scope, IReadOnlyList<Parameter> Parameters, JsonObject? Body)
    {
        public string Name => $"{Method} {Template}";
    }

    /// <summary>The operations and schemas of an OpenAPI document (3.0 or 3.1 spellings of nullable).</summary>
    public sealed class Contract
    {
        private readonly JsonObject _schemas;

        private Contract(JsonObject document)
        {
            _schemas = document["components"]?["schemas"]?.AsObject() ?? [];
            Operations = document["paths"]!.AsObject()
                .SelectMany(path => path.Value!.AsObject().Select(method => Read(path.Key, method.Key, method.Value!.AsObject())))
                .ToList();
        }

        public IReadOnlyList<Operation> Operations { get; }

        public static Contract Load(string path) => new(JsonNode.Parse(File.ReadAllText(path))!.AsObject());

        public IReadOnlySet<string> MethodsOf(string template) =>
            Operations.Where(o => o.Template == template).Select(o => o.Method).ToHashSet(StringComparer.Ordinal);

        public JsonObject Resolve(JsonNode schema) =>
            schema["$ref"]?.GetValue<string>() is { } reference ? Resolve(_schemas[reference.Split('/')[^1]]!) : schema.AsObject();

        public static string TypeOf(JsonObject schema) => schema["type"] switch
        {
            JsonValue value => value.GetValue<string>(),
            JsonArray types => types.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null") ?? "null",
            _ => schema["properties"] is not null ? "object" : schema["items"] is not null ? "array" : "string",
        };

        public static bool IsNullable(JsonObject schema) =>
            schema["nullable"]?.GetValue<bool>() == true || (schema["type"] is JsonArray types && types.Any(t => t!.GetValue<string>() == "null"));

        private Operation Read(string template, string method, JsonObject operation)
        {
            var scope = operation["security"] is JsonArray { Count: > 0 } security
                ? security[0]!.AsObject().Select(s => s.Value!.AsArray().FirstOrDefault()?.GetValue<string>()).FirstOrDefault() ?? string.Empty
                : null;
            var parameters = (operation["parameters"]?.AsArray() ?? []).Select(p => p!.AsObject())
                .Select(p => new Parameter(p["name"]!.GetValue<string>(), p["in"]!.GetValue<string>(), p["required"]?.GetValue<bool>() == true,
                    Resolve(p["schema"] ?? new JsonObject())))
                .ToList();
            var body = operation["requestBody"]?["content"]?.AsObject().FirstOrDefault(c => c.Key.Contains("json", StringComparison.Ordinal)).Value?["schema"];
            return new(method.ToUpperInvariant(), template, scope, parameters, body is null ? null : Resolve(body));
        }
    }

    /// <summary>
    /// Builds the variants from one seeded generator, operation by operation in turn (so a time budget cuts all of them
    /// alike), lazily (so the large bodies exist one at a time); the order, and so each case, depends only on the seed.
    /// </summary>
    public sealed class VariantGenerator(Random random, World world, Contract contract)
    {
        private const string Json = "application/json";
        private const string Marker = "@@";
        private const string OperationKey = "(the operation's key)";
        private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        // A body for operations that take none (callbacks read theirs raw; elsewhere it must change nothing).
        private static readonly JsonObject AnyBody = JsonNode.Parse("""
            {"type":"object","properties":{"id":{"type":"integer"},"status":{"type":"string"},
             "items":{"type":"array","items":{"type":"object","properties":{"n":{"type":"integer"}}}}}}
            """)!.AsObject();

        private static readonly string[] JunkRaw =
        [
            "0", "-1", "2147483648", "9223372036854775808", "-9223372036854775809", "1e309", "NaN", "Infinity", "null", "undefined", "true",
            "' OR '1'='1", "1; DROP TABLE trades;--", "\") OR 1=1 --", "../../etc/passwd", "..", ".", "交易", "😀", "\u202Egnp.exe", "ﾟ",
            " ", "a/b", "%", "%%", "\\", "\"", "<script>", "{}", "[]", "$", "*", "１２３４５６７８", "٣", "\u00A0",
        ];

        private static readonly string[] JunkEscaped = ["%2e%2e", "%2F", "%C0%AF", "%FF", "%E4%BA%A4", "%20", "%0A", "%0D%0A", "%09", "%25", "%u0041"];

        private static readonly string[] Charsets =
            ["utf-16", "utf-16le", "utf-16be", "utf-32", "latin1", "iso-8859-1", "windows-1252", "gbk", "gb2312", "shift_jis", "us-ascii", "utf-7",
             "ebcdic", "nonsense", "\"utf-16\"", ""];

        private static readonly string[] ContentTypes =
            ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream",
             "text/html", "image/png", "application/jsonx", "json", "application/json-patch", "*/*"];

        private static readonly string[] OddAccepts = ["text/html", "application/xml", "image/png", "text/plain", "application/json;q=0"];

        public IEnumerable<Variant> Generate(int perOperation)
        {
            var plans = contract.Operations.Select(Plan).ToList();
            for (var i = 0; i < perOperation; i++)
            {
                foreach (var (operation, families) in plans)
                {
                    var variant = families[i % families.Count](operation, i);
                    // Now and then an Accept header that refuses JSON: a refusal is still a problem body.
                    yield return random.Next(12) == 0 ? variant with { Headers = [.. variant.Headers, ("Accept", Pick(OddAccepts))] } : variant;
                }
            }
        }

        private (Operation, List<Func<Operation, int, Variant>>) Plan(Operation operation)
        {
            var families = new List<Func<Operation, int, Variant>> { WrongMethod };
            if (Params(operation, "path").Any())
            {
                families.Add(PathJunk);
            }

            if (operation.Method == "GET" && Params(operation, "query").Any())
            {
                families.Add(QueryJunk);
            }

            if (operation.Scope is not null)
            {
                families.Add(Auth);
                if (operation.Body is not null && Params(operation, "header").Any())
                {
                    families.Add(HeaderJunk);
                }
            }

            if (Carrier(operation) is { } carrier)
            {
                var slots = Slots(Sample(carrier.Schema, null), carrier.Schema).ToList();
                families.AddRange([Charset, ContentType, Encoding_, Malformed, Unknown, Duplicate, WrongType]);
                if (slots.Any(s => s.Required))
                {
                    families.Add(Missing);
                }

                if (slots.Any(s => Contract.TypeOf(s.Schema) is "integer" or "number"))
                {
                    families.Add(Boundary);
                }

                if (slots.Any(s => Contract.TypeOf(s.Schema) == "string"))
                {
                    families.Add(Oversize);
                }
            }

            return (operation, families);
        }

        /// <summary>
        /// What a body variant rides on: the operation's own body, or any body where it takes none — with a junk path value
        /// when the operation would otherwise act on the world (an authenticated POST without a body).
        /// </summary>
        private sealed record BodyCarrier(JsonObject Schema, bool Strict, bool JunkPath, bool Read);

        private static BodyCarrier? Carrier(Operation operation) => operation switch
        {
            { Body: { } body, Scope: not null } => new(body, Strict: true, JunkPath: false, Read: false),
            { Body: { } body } => new(body, Strict: false, JunkPath: false, Read: false),
            { Scope: null } => new(AnyBody, Strict: false, JunkPath: false, Read: false),
            { Method: "GET" } => new(AnyBody, Strict: false, JunkPath: false, Read: true),
            _ when Params(operation, "path").Any() => new(AnyBody, Strict: false, JunkPath: true, Read: false),
            _ => null,
        };

        private static IEnumerable<Parameter> Params(Operation operation, string location) => operation.Parameters.Where(p => p.In == location);

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        private string? KeyFor(Operation operation) =>
            operation.Scope switch { null => null, "ops" => HostSettings.OpsKey, _ => HostSettings.StorefrontKey };

        private JsonNode? Known(string? name) => name switch
        {
            "machine_no" => world.MachineNo,
            "product_id" => world.ProductId,
            "trade_id" => world.TradeId,
            "quantity" => 1,
            "outcome" => "success",
            "code" => "123456",
            "provider" => "sandbox",
            "token" => $"{world.TradeId}.AAAAAAAAAAAAAAAAAAAAAAAA",
            _ => null,
        };

        /// <summary>A well-formed value for a schema, the world's own where the name is known; never sent unmutated.</summary>
        private JsonNode? Sample(JsonObject schema, string? name)
        {
            if (Known(name) is { } known && Contract.TypeOf(schema) is not ("object" or "array"))
            {
                return known;
            }

            if (schema["enum"] is JsonArray { Count: > 0 } choices)
            {
                return choices[0]!.DeepClone();
            }

            return Contract.TypeOf(schema) switch
            {
                "integer" or "number" => 1,
                "boolean" => false,
                "array" => new JsonArray(Sample(contract.Resolve(schema["items"] ?? new JsonObject()), null)),
                "object" => new JsonObject((schema["properties"]?.AsObject() ?? [])
                    .Select(p => KeyValuePair.Create(p.Key, Sample(contract.Resolve(p.Value!), p.Key)))),
                _ => schema["format"]?.GetValue<string>() == "date-time" ? "2026-11-21T22:39:05Z" : "fuzz",
            };
        }

        private sealed record Slot(JsonObject Owner, string Name, JsonObject Schema, bool Required);

        /// <summary>Every member of a sample, nested ones included, with its schema.</summary>
        private IEnumerable<Slot> Slots(JsonNode? node, JsonObject schema)
        {
            var required = (schema["required"]?.AsArray() ?? []).Select(r => r!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            if (node is JsonObject owner && schema["properties"] is JsonObject properties)
            {
                foreach (var (name, member) in properties)
                {
                    var resolved = contract.Resolve(member!);
                    yield return new Slot(owner, name, resolved, required.Contains(name));
                    foreach (var inner in Slots(owner[name], resolved))
                    {
                        yield return inner;
                    }
                }
            }
            else if (node is JsonArray { Count: > 0 } array && schema["items"] is { } items)
            {
                foreach (var inner in Slots(array[0], contract.Resolve(items)))
                {
                    yield return inner;
                }
            }
        }

        /// <summary>The path with the world's values; one of them junk when asked.</summary>
        private string PathOf(Operation operation, bool junk)
        {
            var parameters = Params(operation, "path").ToList();
            var spoiled = junk && parameters.Count > 0 ? Pick(parameters).Name : null;
            var path = operation.Template;
            foreach (var parameter in parameters)
            {
                var value = parameter.Name == spoiled ? Junk()
                    : Uri.EscapeDataString(Known(parameter.Name)?.ToString() ?? (Contract.TypeOf(parameter.Schema) == "integer" ? "1" : "fuzz"));
                path = path.Replace($"{{{parameter.Name}}}", value, StringComparison.Ordinal);
            }

            return path;
        }

        private string Junk() => random.Next(6) switch
        {
            0 => Pick(JunkEscaped),
            1 => new string(Pick(['9', 'A', 'x']), random.Next(300, 3000)),
            _ => Uri.EscapeDataString(Pick(JunkRaw)),
        };

        private List<(string, string)> HeadersOf(Operation operation) =>
            Params(operation, "header").Where(p => p.Name.Equals("Idempotency-Key", StringComparison.OrdinalIgnoreCase) || p.Required)
                .Select(p => (p.Name, $"fuzz-{random.NextInt64():x}")).ToList();

        private Variant Make(Operation operation, string family, int i, string path, byte[]? body, string? contentType, Expect expect,
            bool mayAccept = false, List<(string, string)>? headers = null, string? key = OperationKey, bool oversized = false) =>
            new(operation.Name, $"{family}#{i}", new HttpMethod(operation.Method), path, key == OperationKey ? KeyFor(operation) : key, body,
                contentType, headers ?? HeadersOf(operation), expect, mayAccept, oversized);

        private Variant WrongMethod(Operation operation, int i)
        {
            var defined = contract.MethodsOf(operation.Template);
            var method = Pick(new[] { "PUT", "DELETE", "PATCH", "GET", "POST" }.Where(m => !defined.Contains(m)).ToList());
            return Make(operation, "method", i, PathOf(operation, junk: false), null, null, new Expect(405, "method_not_allowed"))
                with { Method = new HttpMethod(method) };
        }

        private Variant PathJunk(Operation operation, int i) =>
            Make(operation, "path", i, PathOf(operation, junk: true), BodyOrNull(operation), operation.Body is null ? null : Json, Expect.Refusal,
                mayAccept: operation.Method == "GET");

        private Variant QueryJunk(Operation operation, int i)
        {
            var parameter = Pick(Params(operation, "query").ToList());
            string[] values = (Contract.TypeOf(parameter.Schema), parameter.Schema["format"]?.GetValue<string>()) switch
            {
                ("integer" or "number", _) => ["abc", "1.5", "-1", "0", "2147483648", "-2147483649", "99999999999999999999", "1e309", "NaN", "", "%00",
                    "0x10", "%201", "1%2C2", "%E2%88%9E"],
                (_, "date-time") => ["notadate", "2026-13-45", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "%2B275760-09-13T00:00:00Z", "1",
                    "2026-01-01T25:00:00Z", "-1", "2026-01-01T00:00:00%2B99:00", "%00"],
                _ => ["%27%20OR%201%3D1", "%E4%BA%A4%E6%98%93", new string('s', 2000), "%00", "%FF", "", "%F0%9F%98%80", "..%2F..", "%0A"],
            };
            var query = $"{parameter.Name}={Pick(values)}" + (random.Next(4) == 0 ? $"&{parameter.Name}={Pick(values)}" : string.Empty)
                + (random.Next(4) == 0 ? $"&unknown_{random.Next(100)}={Pick(values)}" : string.Empty);
            return Make(operation, "query", i, $"{PathOf(operation, junk: false)}?{query}", null, null, Expect.Refusal, mayAccept: true);
        }

        private Variant Auth(Operation operation, int i)
        {
            string?[] keys = [null, "", "wrong", HostSettings.StorefrontKey + "x", HostSettings.OpsKey.ToUpperInvariant(), "sha256:abc",
                new string('k', 4000), "ключ", "Bearer " + HostSettings.OpsKey];
            var storefrontOnOps = operation.Scope == "ops" && random.Next(3) == 0;
            var key = storefrontOnOps ? HostSettings.StorefrontKey : Pick(keys);
            return Make(operation, "auth", i, PathOf(operation, junk: false), BodyOrNull(operation), operation.Body is null ? null : Json,
                storefrontOnOps ? new Expect(403, "forbidden") : new Expect(401, "unauthorized"), key: key);
        }

        private Variant HeaderJunk(Operation operation, int i)
        {
            var headers = HeadersOf(operation);
            var index = random.Next(headers.Count);
            var name = headers[index].Item1;
            headers.RemoveAt(index);
            switch (random.Next(5))
            {
                case 0:
                    break;
                case 1:
                    headers.Add((name, Pick(new[] { "", " ", "\t" })));
                    break;
                case 2:
                    headers.Add((name, new string('k', random.Next(201, 4000))));
                    break;
                case 3:
                    headers.Add((name, "clé-ünïcödé-" + random.Next()));
                    break;
                default:
                    headers.Add((name, $"fuzz-{random.NextInt64():x}"));
                    headers.Add((name, $"fuzz-{random.NextInt64():x}"));
                    break;
            }

            return Make(operation, "header", i, PathOf(operation, junk: false), BodyOrNull(operation), Json, Expect.Refusal, headers: headers);
        }

        private byte[]? BodyOrNull(Operation operation) => operation.Body is null ? null : Bytes(Sample(operation.Body, null));

        private static byte[] Bytes(JsonNode? node) => Encoding.UTF8.GetBytes(node?.ToJsonString(Relaxed) ?? "null");

        private static string Text(JsonNode? node) => node?.ToJsonString(Relaxed) ?? "null";

        /// <summary>A body variant of the operation's carrier, expected as the strict edge answers it where the body is the operation's own.</summary>
        private Variant BodyVariant(Operation operation, string family, int i, byte[] body, string? contentType, Expect strict, bool oversized = false)
        {
            var carrier = Carrier(operation)!;
            return Make(operation, family, i, PathOf(operation, carrier.JunkPath), body, contentType, carrier.Strict ? strict : Expect.Refusal,
                mayAccept: carrier.Read, oversized: oversized);
        }

        private (JsonNode? Sample, List<Slot> Slots) Fresh(Operation operation)
        {
            var schema = Carrier(operation)!.Schema;
            var sample = Sample(schema, null);
            return (sample, Slots(sample, schema).ToList());
        }

        private Variant Charset(Operation operation, int i)
        {
            var charset = Pick(Charsets);
            var text = Text(Fresh(operation).Sample);
            var body = charset.Contains("16", StringComparison.Ordinal) && random.Next(2) == 0
                ? (charset.Contains("be", StringComparison.Ordinal) ? Encoding.BigEndianUnicode : Encoding.Unicode).GetBytes(text)
                : Encoding.UTF8.GetBytes(text);
            // An odd number of bytes is what a UTF-16 decoder cannot finish.
            body = random.Next(2) == 0 ? [.. body, (byte)'x'] : body;
            return BodyVariant(operation, "charset", i, body, $"{Pick(new[] { Json, "text/json", "application/problem+json" })}; charset={charset}",
                new Expect(415, "unsupported_media_type"));
        }

        private Variant ContentType(Operation operation, int i) =>
            BodyVariant(operation, "content_type", i, Bytes(Fresh(operation).Sample), random.Next(6) == 0 ? null : Pick(ContentTypes),
                new Expect(415, "unsupported_media_type"));

        private Variant Encoding_(Operation operation, int i)
        {
            byte[][] junk = [[0xFF], [0xFE, 0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE4, 0xBA], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80]];
            var (sample, slots) = Fresh(operation);
            var strings = slots.Where(s => Contract.TypeOf(s.Schema) == "string").ToList();
            byte[] body;
            if (strings.Count > 0 && random.Next(4) != 0)
            {
                var slot = Pick(strings);
                slot.Owner[slot.Name] = $"{Marker}bad{Marker}";
                var parts = Text(sample).Split($"{Marker}bad{Marker}");
                body = [.. Encoding.UTF8.GetBytes(parts[0]), .. Pick(junk), .. Encoding.UTF8.GetBytes(parts[1])];
            }
            else
            {
                // UTF-16 or UTF-32 with its byte order mark and no charset: not UTF-8, whatever the bytes say.
                body = random.Next(2) == 0 ? [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(Text(sample))] : [0xFF, 0xFE, 0x00, 0x00, .. Encoding.UTF32.GetBytes(Text(sample))];
            }

            return BodyVariant(operation, "encoding", i, body, Json, new Expect(400, "invalid_encoding"));
        }

        private Variant Malformed(Operation operation, int i)
        {
            var text = Text(Fresh(operation).Sample);
            var body = random.Next(11) switch
            {
                0 => text[..random.Next(1, text.Length - 1)],
                1 => text[..^1] + ",}",
                2 => text.Replace('"', '\''),
                3 => "/* comment */ " + text,
                4 => text[..^1] + ",\"n\":NaN}",
                5 => new string('[', random.Next(65, 5000)),
                6 => Pick(new[] { "[]", "\"text\"", "42", "true", "{}{}", "}" }),
                7 => text + text,
                8 => "<xml/>",
                9 => text.Replace(":", " : :", StringComparison.Ordinal),
                _ => "{\"" + new string('a', random.Next(1, 10)) + "\":" + new string('{', random.Next(65, 1000)),
            };
            return BodyVariant(operation, "malformed", i, Encoding.UTF8.GetBytes(body), Json, new Expect(400, "validation_failed"));
        }

        private Variant Unknown(Operation operation, int i)
        {
            var (sample, slots) = Fresh(operation);
            var owners = slots.Select(s => s.Owner).Prepend(sample as JsonObject).OfType<JsonObject>().Distinct().ToList();
            var owner = owners.Count > 0 ? Pick(owners) : null;
            var known = owner?.Select(p => p.Key).ToList() ?? [];
            var name = random.Next(8) switch
            {
                _ when known.Count == 0 => "unexpected",
                0 => Pick(known) is var k && k.Length > 1 ? k.Remove(random.Next(k.Length), 1) : k + "x",
                1 => string.Concat(Pick(known).Split('_').Select((w, n) => n == 0 || w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..])),
                2 => Pick(known).ToUpperInvariant(),
                3 => Pick(new[] { "__proto__", "$type", "$ref", "constructor", "@odata.type" }),
                4 => Pick(new[] { "payment_method", "price", "amount", "discount", "admin", "status" }),
                5 => "名前",
                6 => Pick(known) + " ",
                _ => $"x{random.Next(1000)}",
            };
            if (owner is null || known.Contains(name))
            {
                name = $"unexpected_{random.Next(1000)}";
            }

            owner?.Add(name, Pick(new JsonNode?[] { 1, "x", true, null, new JsonObject(), new JsonArray() }));
            return BodyVariant(operation, "unknown", i, Bytes(sample), Json, new Expect(400, "validation_failed", "unknown field"));
        }

        private Variant Duplicate(Operation operation, int i)
        {
            var (sample, slots) = Fresh(operation);
            if (slots.Count == 0)
            {
                return Unknown(operation, i);
            }

            var slot = Pick(slots);
            slot.Owner.Add($"{Marker}dup{Marker}", slot.Owner[slot.Name]?.DeepClone());
            var body = Text(sample).Replace($"\"{Marker}dup{Marker}\"", JsonSerializer.Serialize(slot.Name), StringComparison.Ordinal);
            return BodyVariant(operation, "duplicate", i, Encoding.UTF8.GetBytes(body), Json, new Expect(400, "validation_failed", "duplicate property"));
        }

        private Variant WrongType(Operation operation, int i)
        {
            var (sample, slots) = Fresh(operation);
            if (slots.Count == 0)
            {
                return Malformed(operation, i);
            }

            var slot = Pick(slots);
            JsonNode?[] wrong = Contract.TypeOf(slot.Schema) switch
            {
                "integer" or "number" => ["1", "NaN", "Infinity", "1e3", "", true, new JsonArray(1), new JsonObject()],
                "boolean" => ["true", 1, "yes", new JsonArray()],
                "array" => ["x", 1, new JsonObject(), true],
                "object" => ["native", 42, new JsonArray(), true],
                _ => [42, 1.5, true, new JsonArray("x"), new JsonObject()],
            };
            var value = Pick(wrong);
            slot.Owner[slot.Name] = value is null ? null : value.DeepClone();
            return BodyVariant(operation, "wrong_type", i, Bytes(sample), Json, new Expect(400, "validation_failed", "must be"));
        }

        private Variant Missing(Operation operation, int i)
        {
            var (sample, slots) = Fresh(operation);
            var slot = Pick(slots.Where(s => s.Required).ToList());
            slot.Owner.Remove(slot.Name);
            return BodyVariant(operation, "missing", i, Bytes(sample), Json, new Expect(400, "validation_failed", "required"));
        }

        private Variant Boundary(Operation operation, int i)
        {
            string[] numbers = ["0", "-1", "-0", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
                "-9223372036854775809", "18446744073709551616", "1e309", "-1e309", "1.5", "1e2", "1E+2", "4.9e-324", "0.0", "00", "NaN", "-Infinity",
                "\"NaN\"", "99999999999999999999999999999999999999999"];
            var (sample, slots) = Fresh(operation);
            var slot = Pick(slots.Where(s => Contract.TypeOf(s.Schema) is "integer" or "number").ToList());
            var number = Pick(numbers);
            slot.Owner[slot.Name] = $"{Marker}num{Marker}";
            var body = Text(sample).Replace($"\"{Marker}num{Marker}\"", number, StringComparison.Ordinal);
            return BodyVariant(operation, "boundary", i, Encoding.UTF8.GetBytes(body), Json, Expect.Refusal);
        }

        private Variant Oversize(Operation operation, int i)
        {
            var (sample, slots) = Fresh(operation);
            var slot = Pick(slots.Where(s => Contract.TypeOf(s.Schema) == "string").ToList());
            var overLimit = random.Next(10) == 0;
            var length = overLimit ? 1024 * 1024 + random.Next(1, 64 * 1024) : random.Next(3) == 0 ? random.Next(100_000, 900_000) : random.Next(1_000, 64_000);
            slot.Owner[slot.Name] = random.Next(2) == 0 ? new string('7', length) : string.Concat(Enumerable.Repeat("交易😀ab", length / 6 + 1))[..length];
            // Over 60 KB the callbacks' own limit applies, and the server may close the upload early.
            return BodyVariant(operation, "oversize", i, Bytes(sample), Json, overLimit ? new Expect(413, "payload_too_large") : Expect.Refusal,
                oversized: length > 60_000);
        }
    }

    /// <summary>
    /// The rows a refused request must not write. A well-formed request the platform refuses (an unknown product on a pickup)
    /// leaves a trade in <c>rejected</c> with its timeline, by design: such a refusal record is allowed, as long as it holds
    /// no money, no callback and no work still to run; everything else must be as it was.
    /// </summary>
    private sealed record State(IReadOnlySet<string> Trades, IReadOnlyDictionary<string, long> Counts)
    {
        private static readonly string[] WithoutTrade = ["sandbox_refunds"];
        private static readonly string[] Money = ["payments", "refunds", "sandbox_payments", "platform_callbacks"];

        // The instance's own maintenance schedule (retention, counter recount: decision 0023) writes job rows on a timer, not per request.
        private static string Scheduled(string table) => table == "jobs" ? " AND coalesce(dedupe_key, '') NOT LIKE 'maintenance:%'" : "";

        public static async Task<State> ReadAsync(string connectionString)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var trades = new HashSet<string>(StringComparer.Ordinal);
            await using (var command = new NpgsqlCommand("SELECT trade_id FROM trades", connection))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    trades.Add(reader.GetString(0));
                }
            }

            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var table in HostileAnswers.Tables)
            {
                counts[table] = await ScalarAsync(connection, $"SELECT count(*) FROM {table} WHERE true{Scheduled(table)}");
            }

            return new(trades, counts);
        }

        public static async Task<(List<string> Violations, int RefusalRecords)> ChangesAsync(string connectionString, State before)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var violations = new List<string>();
            var fresh = new List<string>();
            await using (var command = new NpgsqlCommand("SELECT trade_id, status FROM trades WHERE NOT (trade_id = ANY(@before))", connection))
            {
                command.Parameters.AddWithValue("before", before.Trades.ToArray());
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    fresh.Add(reader.GetString(0));
                    if (reader.GetString(1) != "rejected")
                    {
                        violations.Add($"trade {reader.GetString(0)} written in status {reader.GetString(1)}");
                    }
                }
            }

            foreach (var table in HostileAnswers.Tables)
            {
                var others = WithoutTrade.Contains(table)
                    ? await ScalarAsync(connection, $"SELECT count(*) FROM {table}")
                    : await ScalarAsync(connection, $"SELECT count(*) FROM {table} WHERE (trade_id IS NULL OR NOT (trade_id = ANY(@fresh))){Scheduled(table)}", fresh);
                if (others != before.Counts[table])
                {
                    violations.Add($"{table}: {before.Counts[table]} rows before, {others} after (refusal records aside)");
                }

                if (Money.Contains(table) && await ScalarAsync(connection, $"SELECT count(*) FROM {table} WHERE trade_id = ANY(@fresh)", fresh) > 0)
                {
                    violations.Add($"{table}: rows for a refused request");
                }
            }

            if (await ScalarAsync(connection, "SELECT count(*) FROM jobs WHERE trade_id = ANY(@fresh) AND status <> 'done'", fresh) > 0)
            {
                violations.Add("jobs: work left to run for a refused request");
            }

            return (violations, fresh.Count);
        }

        private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, List<string>? fresh = null)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            if (fresh is not null)
            {
                command.Parameters.AddWithValue("fresh", fresh.ToArray());
            }

            return (long)(await command.ExecuteScalarAsync())!;
        }
    }
}
