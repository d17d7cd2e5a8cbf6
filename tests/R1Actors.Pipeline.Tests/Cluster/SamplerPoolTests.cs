using System.Text.Json;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using R1Actors.Pipeline.Actors;
using R1Actors.Pipeline.Cluster;
using R1Actors.Pipeline.Graph;
using R1Actors.Pipeline.Metrics;

namespace R1Actors.Pipeline.Tests.Cluster;

/// <summary>
/// The learner node's pool: requests go to samplers with room and never beyond their capacity, wait while none has
/// room, move to the others when a sampler goes away (no prompt lost, none answered twice), and reach nodes that join
/// while they wait.
/// </summary>
public sealed class SamplerPoolTests : TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private static IssuedPrompt Prompt(long ordinal) =>
        new(ordinal, new PromptCursor(0, ordinal), new Prompt($"p{ordinal}", new TextPrompt("1+1"), new TaskSpec("math", new Dictionary<string, JsonElement>())));

    private static GenerateRollouts Request(params long[] ordinals) => new([.. ordinals.Select(Prompt)]);

    private static RolloutsGenerated Answer(GenerateRollouts request, string device) =>
        new(device, 0, [.. request.Prompts.Select(p => new Rollout(p, 0, [1], [2], "2", [-0.1f], 0, FinishReason.Stop, device))]);

    private IActorRef Pool(IReadOnlyList<OfferedSampler> local, IReadOnlyDictionary<string, string>? compatibility = null, TimeSpan? sampleTimeout = null) =>
        Sys.ActorOf(SamplerPool.Props(new SamplerPoolEnvironment(local, 8, 42, new PolicyVersionBoard(0), new StageCounters(), sampleTimeout ?? TimeSpan.FromMinutes(1),
            Task.FromResult<IReadOnlyList<TransferFile>>([new TransferFile("config.json", 2, "ab")]), compatibility ?? new Dictionary<string, string>(), Serilog.Log.Logger)));

    /// <summary>The requests a probe holds, in arrival order, each with whom to answer.</summary>
    private static List<(GenerateRollouts Request, IActorRef ReplyTo)> Take(Akka.TestKit.TestProbe probe, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => (probe.ExpectMsg<GenerateRollouts>(), probe.LastSender))];

    [Fact]
    public async Task A_sampler_never_holds_more_than_its_capacity_and_waiting_requests_go_out_as_answers_come_back()
    {
        var sampler = CreateTestProbe();
        var pool = Pool([new OfferedSampler("cpu", sampler.Ref, 2)]);
        var asks = Enumerable.Range(0, 5).Select(i => pool.Ask<RolloutsGenerated>(Request(i), TimeSpan.FromSeconds(10))).ToList();
        var held = Take(sampler, 2);
        sampler.ExpectNoMsg(Quiet);                                      // three wait in the pool
        held[0].ReplyTo.Tell(Answer(held[0].Request, "cpu"));
        var next = Take(sampler, 1);
        Assert.Equal(2, next[0].Request.Prompts[0].Ordinal);             // oldest first
        sampler.ExpectNoMsg(Quiet);
        foreach (var (request, replyTo) in held.Skip(1).Concat(next))
            replyTo.Tell(Answer(request, "cpu"));
        foreach (var (request, replyTo) in Take(sampler, 2))
            replyTo.Tell(Answer(request, "cpu"));
        Assert.Equal([0L, 1, 2, 3, 4], (await Task.WhenAll(asks)).Select(a => a.Rollouts[0].Prompt.Ordinal));
    }

    [Fact]
    public async Task A_sampler_that_goes_away_has_its_requests_issued_to_the_others_first_and_each_is_answered_once()
    {
        var doomed = CreateTestProbe();
        var survivor = CreateTestProbe();
        var pool = Pool([new OfferedSampler("cuda:0", doomed.Ref, 2), new OfferedSampler("cuda:1", survivor.Ref, 1)]);
        var asks = Enumerable.Range(0, 4).Select(i => pool.Ask<RolloutsGenerated>(Request(i), TimeSpan.FromSeconds(10))).ToList();
        var lost = Take(doomed, 2);
        var kept = Take(survivor, 1);
        Assert.Equal([0L, 1], lost.Select(l => l.Request.Prompts[0].Ordinal));   // the roomiest sampler first, ties to the first
        Assert.Equal(2, kept[0].Request.Prompts[0].Ordinal);
        Sys.Stop(doomed.Ref);
        survivor.ExpectNoMsg(Quiet);                                     // full: the pool has heard of the loss meanwhile
        kept[0].ReplyTo.Tell(Answer(kept[0].Request, "cuda:1"));
        var reissued = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var (request, replyTo) = Take(survivor, 1)[0];
            reissued.Add(request.Prompts[0].Ordinal);
            replyTo.Tell(Answer(request, "cuda:1"));
        }
        Assert.Equal([0L, 1, 3], reissued);                              // the lost ones ahead of the one that waited
        var answers = await Task.WhenAll(asks);
        Assert.Equal([0L, 1, 2, 3], answers.Select(a => a.Rollouts[0].Prompt.Ordinal));
        Assert.All(answers, a => Assert.Equal("cuda:1", a.Device));
        survivor.ExpectNoMsg(Quiet);
    }

    [Fact]
    public async Task Requests_wait_while_no_sampler_is_connected_and_go_to_a_node_that_joins()
    {
        var pool = Pool([]);
        var asks = Enumerable.Range(0, 3).Select(i => pool.Ask<RolloutsGenerated>(Request(i), TimeSpan.FromSeconds(10))).ToList();
        var agent = CreateTestProbe();
        var remote = CreateTestProbe();
        pool.Tell(new SamplerOffer("node-b", [new OfferedSampler("cpu", remote.Ref, 3)]), agent.Ref);
        remote.ExpectNoMsg(Quiet);                                       // until it says which weights it holds
        pool.Tell(new SamplerNodeVersion("node-b", 0), agent.Ref);
        foreach (var (request, replyTo) in Take(remote, 3))
            replyTo.Tell(Answer(request, "cpu"));
        Assert.Equal([0L, 1, 2], (await Task.WhenAll(asks)).Select(a => a.Rollouts[0].Prompt.Ordinal));
        pool.Tell(new WeightsPublished(4));
        Assert.Equal(4, agent.ExpectMsg<WeightsPublished>().Version);    // a node hears of every version
    }

    [Fact]
    public async Task A_node_behind_the_learners_newest_weights_gets_no_work_until_it_has_applied_them()
    {
        var board = new PolicyVersionBoard(3);
        var pool = Sys.ActorOf(SamplerPool.Props(new SamplerPoolEnvironment([], 8, 42, board, new StageCounters(), TimeSpan.FromMinutes(1),
            Task.FromResult<IReadOnlyList<TransferFile>>([]), new Dictionary<string, string>(), Serilog.Log.Logger)));
        var remote = CreateTestProbe();
        pool.Tell(new SamplerOffer("n", [new OfferedSampler("cpu", remote.Ref, 2)]), CreateTestProbe().Ref);
        pool.Tell(new SamplerNodeVersion("n", 2));
        var ask = pool.Ask<RolloutsGenerated>(Request(1), TimeSpan.FromSeconds(10));
        remote.ExpectNoMsg(Quiet);                                       // v2 against the learner's v3: it would start stale
        pool.Tell(new SamplerNodeVersion("n", 3));
        var (request, replyTo) = Take(remote, 1)[0];
        replyTo.Tell(Answer(request, "cpu"));
        Assert.Equal(1, (await ask).Rollouts[0].Prompt.Ordinal);
    }

    [Fact]
    public async Task A_remote_sampler_that_does_not_answer_in_time_has_its_request_issued_again()
    {
        var slow = CreateTestProbe();
        var pool = Pool([], sampleTimeout: TimeSpan.FromMilliseconds(400));
        pool.Tell(new SamplerOffer("slow-node", [new OfferedSampler("cpu", slow.Ref, 1)]), CreateTestProbe().Ref);
        pool.Tell(new SamplerNodeVersion("slow-node", 0));   // from the test's address, which is the probe's too
        var ask = pool.Ask<RolloutsGenerated>(Request(7), TimeSpan.FromSeconds(10));
        Take(slow, 1);                                                   // never answered
        var (request, replyTo) = Take(slow, 1)[0];                       // issued again after the timeout
        replyTo.Tell(Answer(request, "cpu"));
        Assert.Equal(7, (await ask).Rollouts[0].Prompt.Ordinal);
    }

    [Fact]
    public void A_node_whose_configuration_differs_is_refused_with_every_difference_named()
    {
        var pool = Pool([], new Dictionary<string, string> { ["r1.sampling.temperature"] = "1.0", ["r1.model.dtype"] = "auto" });
        pool.Tell(new SamplerNodeHello("n1", new Dictionary<string, string> { ["r1.sampling.temperature"] = "0.7", ["r1.model.dtype"] = "auto" }));
        var refused = ExpectMsg<SamplerNodeRefused>();
        Assert.Contains("r1.sampling.temperature = 1.0 here, 0.7 there", refused.Reason);
        Assert.DoesNotContain("dtype", refused.Reason);
        pool.Tell(new SamplerNodeHello("n2", new Dictionary<string, string> { ["r1.sampling.temperature"] = "1.0", ["r1.model.dtype"] = "auto" }));
        var welcome = ExpectMsg<SamplerNodeWelcome>();
        Assert.Equal((8, 42UL, 0L, "config.json"), (welcome.GroupSize, welcome.RunSeed, welcome.PolicyVersion, welcome.ModelFiles[0].Name));
        Assert.Equal(pool, LastSender);                                  // the node keeps the pool's address from the welcome
    }
}
