// Checkpoint tests save and restore torch's global random generator; run the tests of this assembly one at a
// time so no other test draws from it in between.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
