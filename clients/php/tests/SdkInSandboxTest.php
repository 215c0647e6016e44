<?php

declare(strict_types=1);

namespace K2Mock\Tests;

use K2Mock\CallbackReceiver;
use K2Mock\Delivery;
use K2Mock\K2Mock;
use K2Mock\ResourceSnapshot;
use K2Mock\Tests\Support\Repo;
use K2Mock\Tests\Support\Sdk;
use PHPUnit\Framework\TestCase;

/** The official PHP SDK, as an integrator drives it, inside a sandbox of a k2mock the kit only connects to. */
final class SdkInSandboxTest extends TestCase
{
    public function testTheOfficialSdkPaysInsideASandboxOfAConnectedServerAndTheServersOwnSandboxCannotSeeIt(): void
    {
        Sdk::load();
        // A k2mock started by someone else (not through K2Mock::start), as a service container is;
        // ParityTest's connect-sandbox-isolation case and SuiteTest start theirs the same way.
        [$other, $url] = Repo::serveElsewhere(['--clock', 'manual', '--log-format', 'none']);
        $receiver = null;
        try {
            $server = K2Mock::connect($url);
            $sandbox = $server->sandbox(['name' => 'SdkInSandboxTest_sdk_stk_push', 'clock' => 'manual']);
            [$credentials] = $sandbox->credentials();
            // The callbacks are signed with the sandbox's own api key, not the server's.
            $receiver = CallbackReceiver::start(['apiKey' => $credentials['api_key']]);

            // Only what the app is given: the sandbox's base URL and its first credentials.
            $K2 = new \Kopokopo\SDK\K2(['clientId' => $credentials['client_id'], 'clientSecret' => $credentials['client_secret'],
                'apiKey' => $credentials['api_key'], 'baseUrl' => $sandbox->baseUrl()]);
            $token = $K2->TokenService()->getToken();
            self::assertSame('success', $token['status'], json_encode($token));
            $token = $token['data']['accessToken'];
            $stk = $K2->StkService();
            $created = $stk->initiateIncomingPayment(['paymentChannel' => 'M-PESA STK Push', 'tillNumber' => 'K000000',
                'firstName' => 'Joe', 'lastName' => 'Buyer', 'phoneNumber' => '+254799999999', 'amount' => 1500,
                'currency' => 'KES', 'callbackUrl' => $receiver->url(), 'accessToken' => $token]);
            self::assertSame('success', $created['status'], json_encode($created));
            $location = $created['location'];
            self::assertStringStartsWith("$url/api/v1/incoming_payments/", $location, 'the location points back at the server');
            $id = basename($location);
            $pending = $stk->getStatus(['location' => $location, 'accessToken' => $token]);
            self::assertSame(['success', 'Pending'], [$pending['status'], $pending['data']['status'] ?? null], json_encode($pending));

            // The default scenario's STK push succeeds 5 s in; only the sandbox's clock moves.
            $sandbox->advance(10);
            self::assertSame(['delivered'], array_map(fn (Delivery $d) => $d->outcome, $sandbox->callbacks()));
            self::assertSame([$id], array_map(fn (Delivery $d) => $d->resourceId, $sandbox->callbacks()));
            [$callback] = $receiver->received();
            self::assertTrue($callback->verified, "X-KopoKopo-Signature checked with the sandbox's api key");
            self::assertSame('Success', $callback->json()['data']['attributes']['status']);
            $payment = array_values(array_filter($sandbox->resources(), fn (ResourceSnapshot $r) => $r->id === $id));
            self::assertSame(['Success'], array_map(fn (ResourceSnapshot $r) => $r->stage, $payment), 'its final stage');
            $final = $stk->getStatus(['location' => $location, 'accessToken' => $token]);
            self::assertSame('Success', $final['data']['status'] ?? null, json_encode($final));

            // Isolation: the server's own sandbox, with its own credentials, does not know the payment.
            $serversOwnToken = $server->accessToken('sandbox_client_id', 'sandbox_client_secret');
            self::assertSame(404, $server->request('GET', $location, null, ['token' => $serversOwnToken])->status,
                "the server's own sandbox cannot read the sandbox's payment");

            self::assertSame(['id' => 'SdkInSandboxTest_sdk_stk_push', 'deleted' => true, 'dropped_deliveries' => 0], $sandbox->delete());
            self::assertSame([], $server->sandboxes());
        } finally {
            $receiver?->stop();
            self::assertSame(0, $other->stop(), 'a clean stop');
        }
        self::assertSame([], Repo::waitGone([$other->pid, $receiver->pid()], 5), 'no process is left behind');
    }
}
