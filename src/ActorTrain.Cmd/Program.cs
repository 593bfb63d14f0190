using ActorTrain.Cmd.Client;

using var cancel = new CancellationTokenSource();
// Ctrl+C stops the running command (a tail) on the node; a second one ends pbm.
Console.CancelKeyPress += (_, e) =>
{
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    cancel.Cancel();
};
return await PbmApp.RunAsync(args, Console.In, Console.Out, Console.Error, cancel.Token);
