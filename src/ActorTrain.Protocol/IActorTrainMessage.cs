namespace ActorTrain.Protocol;

/// <summary>Marks every message, event and state record that crosses a process or enters the
/// journal: ActorTrain's serializer is bound to this interface (no Hyperion, no System.Object).</summary>
public interface IActorTrainMessage;
