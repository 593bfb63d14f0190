using ActorTrain.Cmd.Client;

// Ctrl+C stops the running command (a tail) on the node and returns to the prompt; at the prompt, or
// a second time, it ends pbm.
Console.CancelKeyPress += (_, e) => e.Cancel = PbmApp.CancelRunningCommand();
return await PbmApp.RunAsync(args, Console.In, Console.Out, Console.Error, CancellationToken.None);
