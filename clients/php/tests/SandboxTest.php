<?php

declare(strict_types=1);

namespace K2Mock\Tests;

use K2Mock\ApiException;
use K2Mock\CallbackReceiver;
use K2Mock\ConflictException;
use K2Mock\NotFoundException;
use K2Mock\PHPUnit\WithK2Mock;
use K2Mock\Sandbox;
use K2Mock\Tests\Support\Repo;
use PHPUnit\Framework\TestCase;

/** K2Mock::sandbox(): options, credentials, the admin calls scoped to it, and its errors. */
final class SandboxTest extends TestCase
{
    use WithK2Mock;

    protected static function k2mockOptions(): array
    {
        return ['scenario' => Repo::path('scenarios/happy-path.yaml'), 'logFormat' => 'none'];
    }

    protected function tearDown(): void
    {
        foreach (self::k2mock()->sandboxes() as $sandbox) {
            $sandbox->delete();
        }
    }

    public function testASandboxIsFoundByItsOwnCredentialsAndSignsWithItsOwnKey(): void
    {
        $server = self::k2mock();
        $a = $server->sandbox(['name' => 'a', 'scenario' => Repo::path('scenarios/happy-path.yaml')]);
        self::assertInstanceOf(Sandbox::class, $a);
        self::assertSame(['a', 'a', Repo::path('scenarios/happy-path.yaml'), 42, null],
            [$a->id(), $a->name(), $a->scenario(), $a->seed(), $a->ttl()]);
        self::assertSame([['client_id' => 'demo-client-a', 'client_secret' => 'demo-secret-a', 'api_key' => 'demo-api-key-a']],
            $a->credentials());
        self::assertSame(['demo-client-a', 'demo-secret-a', 'demo-api-key-a', 'demo-token-a'],
            [$a->clientId(), $a->clientSecret(), $a->apiKey(), $a->token()]);
        self::assertSame([['value' => 'demo-token-a', 'client_id' => 'demo-client-a']], $a->tokens());
        self::assertSame($server->baseUrl() . '/__admin/sandboxes/a', $a->adminUrl());
        self::assertSame($server->baseUrl(), $a->baseUrl());
        self::assertSame($server->baseUrls(), $a->baseUrls());
        self::assertSame($server, $a->server());

        $receiver = CallbackReceiver::start(['apiKey' => $a->apiKey()]);
        try {
            $created = $a->request('POST', '/api/v2/incoming_payments', Repo::stkPush($receiver->url()), ['token' => $a->accessToken()]);
            self::assertSame(201, $created->status);
            $ran = $a->advance(10);
            self::assertSame(['Success', 'delivered'], array_map(fn ($e) => $e['stage'] ?? $e['outcome'], $ran['ran']));
            self::assertSame('2021-01-28T10:00:10.000+03:00', $a->clock()['now']);
            self::assertSame('2021-01-28T10:00:00.000+03:00', $server->clock()['now'], "the server's own clock did not move");
            [$callback] = $receiver->received();
            self::assertTrue($callback->verified, "signed with a's api key");
            self::assertFalse(CallbackReceiver::verify($callback->body, $callback->signature, 'demo-api-key'));
            self::assertSame(['delivered'], array_map(fn ($d) => $d->outcome, $a->callbacks()));
            self::assertSame([], $server->callbacks());
            self::assertSame([['POST', '/oauth/token'], ['POST', '/api/v2/incoming_payments']],
                array_map(fn ($r) => [$r->method, $r->path], $a->requests()));
            $a->fireEvent('customer_created');
            self::assertTrue($a->expectations()->passed, 'happy-path.yaml has no expect entries');
            $a->reset();
            self::assertSame([], array_filter($a->resources(), fn ($r) => !$r->isFixture()));
            self::assertSame([], $a->callbacks());
        } finally {
            $receiver->stop();
        }
    }

    public function testOptionsMakeTheSandboxAndTtlTakesSeconds(): void
    {
        $yaml = "version: 1\nclock: { mode: real, start: \"2021-01-28T10:00:00+03:00\" }\n"
            . "credentials:\n  - { client_id: c, client_secret: s, api_key: k }\n";
        $sandbox = self::k2mock()->sandbox(['scenarioYaml' => $yaml, 'seed' => 7, 'clock' => 'manual', 'timeScale' => 2, 'ttl' => 3600]);
        self::assertMatchesRegularExpression('/^sandbox-\d+$/', $sandbox->id());
        self::assertSame(['scenario_yaml', 7, '1h'], [$sandbox->scenario(), $sandbox->seed(), $sandbox->ttl()]);
        self::assertSame([['client_id' => 'c-' . $sandbox->id(), 'client_secret' => 's-' . $sandbox->id(),
            'api_key' => 'k-' . $sandbox->id()]], $sandbox->credentials());
        self::assertSame([], $sandbox->tokens());
        self::assertNull($sandbox->token());
        self::assertSame(['now' => '2021-01-28T10:00:00.000+03:00', 'mode' => 'manual', 'scale' => 2.0], $sandbox->clock());
        self::assertSame('30m', self::k2mock()->sandbox(['ttl' => '30m'])->ttl());
        self::assertSame($sandbox->credentials(), self::k2mock()->getSandbox($sandbox->id())->credentials());
        self::assertCount(2, self::k2mock()->sandboxes());
    }

    public function testErrorsAreTypedAndNothingHalfMadeIsLeft(): void
    {
        $server = self::k2mock();
        $taken = $server->sandbox(['name' => 'taken']);
        try {
            $server->sandbox(['name' => 'taken']);
            self::fail('a second sandbox named taken');
        } catch (ConflictException $e) {
            self::assertSame([409, 'A sandbox named taken exists already', 'POST', '/__admin/sandboxes'],
                [$e->status, $e->errorMessage, $e->method, $e->path]);
        }
        try {
            $server->getSandbox('nope');
            self::fail('getSandbox(nope)');
        } catch (NotFoundException $e) {
            self::assertSame([404, 'No sandbox nope'], [$e->status, $e->errorMessage]);
        }
        $bad = "version: 1\ntimelines:\n  payment: [{ after: 0s, stage: Sent }]\n";
        try {
            $server->sandbox(['scenarioYaml' => $bad]);
            self::fail('an invalid scenario_yaml');
        } catch (ApiException $e) {
            self::assertSame(400, $e->status);
            self::assertStringStartsWith('The scenario is not valid: scenario_yaml:3:', $e->errorMessage);
            self::assertStringContainsString("unknown stage 'Sent' for payment", $e->errorMessage);
        }
        $file = Repo::tempFile($bad);
        try {
            $server->sandbox(['scenario' => $file]);
            self::fail('an invalid scenario file');
        } catch (ApiException $e) {
            self::assertStringContainsString("$file:3:", $e->errorMessage);
        }
        foreach ([[['name' => 'not a name'], 'name must be 1 to 64 letters'], [['ttl' => 'soon'], 'ttl must be a duration']] as [$options, $said]) {
            try {
                $server->sandbox($options);
                self::fail('sandbox(' . json_encode($options) . ')');
            } catch (ApiException $e) {
                self::assertStringContainsString($said, $e->errorMessage);
            }
        }
        self::assertSame(['taken'], array_map(fn (Sandbox $s) => $s->id(), $server->sandboxes()));

        // A deleted sandbox: its pending deliveries are dropped, its calls are 404 saying so.
        self::assertSame(201, $server->request('POST', '/api/v2/webhook_subscriptions', ['event_type' => 'customer_created',
            'url' => 'http://127.0.0.1:9/hooks', 'scope' => 'company'], ['token' => $taken->token()])->status);
        $taken->fireEvent('customer_created', [], ['delay' => '30s']);
        self::assertSame(['id' => 'taken', 'deleted' => true, 'dropped_deliveries' => 1], $taken->delete());
        self::assertTrue($taken->isDeleted());
        try {
            $taken->clock();
            self::fail('clock() of a deleted sandbox');
        } catch (NotFoundException $e) {
            self::assertSame('Sandbox taken was deleted; 1 pending delivery was dropped', $e->errorMessage);
        }
        $this->expectException(NotFoundException::class);
        $taken->delete();
    }

    public function testUnknownSandboxOptionsAreRefused(): void
    {
        $this->expectExceptionMessage('K2Mock::sandbox() has no option scenario_yaml');
        self::k2mock()->sandbox(['scenario_yaml' => 'version: 1']);
    }
}
