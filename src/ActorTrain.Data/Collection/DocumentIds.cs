namespace ActorTrain.Data.Collection;

/// <summary>Stable document ids: the source path and the record's index in it.</summary>
public static class DocumentIds
{
    public static string For(string path, long index) => $"{path}#{index}";
}
