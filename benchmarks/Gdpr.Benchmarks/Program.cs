using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project benchmarks/Gdpr.Benchmarks -- --filter '*FieldEncryption*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
