using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActorTrain.Protocol;
using Akka.Actor;
using Akka.Serialization;

namespace ActorTrain.Cluster.Serialization;

/// <summary>
/// Serializes every <see cref="IActorTrainMessage"/> as UTF-8 JSON, with the type's name below
/// "ActorTrain.Protocol." as manifest ("Ingest.DataShardEvents+Planned"). JSON because journal
/// rows stay readable with psql or sqlite3 and records evolve by adding fields; the manifest is
/// checked against the protocol's own types, so no other type can be instantiated from a journal.
/// </summary>
public sealed class ActorTrainSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 8_100;
    private const string Prefix = "ActorTrain.Protocol.";

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        IncludeFields = false,
        // A diverged step's loss is NaN or infinite: it must travel and be journaled as such (strictly, JSON has no
        // such number), or the step that diverged would fail to serialize, time out and diverge again for ever.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly IReadOnlyDictionary<string, Type> TypesByManifest = typeof(IActorTrainMessage).Assembly.GetTypes()
        .Where(t => typeof(IActorTrainMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
        .ToDictionary(ManifestOf, t => t, StringComparer.Ordinal);

    public override int Identifier => Id;

    public static IReadOnlyCollection<Type> ProtocolTypes => TypesByManifest.Values.ToArray();

    public override string Manifest(object o) => ManifestOf(o.GetType());

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!TypesByManifest.TryGetValue(manifest, out var type))
            throw new SerializationException($"unknown ActorTrain message manifest '{manifest}'");
        return JsonSerializer.Deserialize(bytes, type, Json)
            ?? throw new SerializationException($"'{manifest}' deserialized to null");
    }

    private static string ManifestOf(Type type) =>
        type.FullName!.StartsWith(Prefix, StringComparison.Ordinal) ? type.FullName[Prefix.Length..] : type.FullName;
}
