using Vending.Platform.Simulator;

SimulatorApp.Build(args).Run();
