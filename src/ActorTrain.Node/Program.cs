using ActorTrain.Node;
using Spectre.Console;

return await ActorTrainApp.RunAsync(args, AnsiConsole.Console, Console.Error);
