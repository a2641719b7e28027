using WeChatPay.Simulator;

WeChatPaySimApp.Build(args).Run();
