using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning;

/// <summary>One named step of the cleaning pipeline (actortrain.data.stages). Pure: the same
/// document always gives the same result, so a resumed shard reproduces its output exactly.</summary>
public interface IDocumentStage
{
    /// <summary>Kebab-case name, as in configuration and in the per-stage drop counts.</summary>
    string Name { get; }

    StageResult Apply(Document document);
}
