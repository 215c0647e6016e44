<?php

declare(strict_types=1);

namespace Shop;

/** The shop's orders, a JSON file each in one directory (the web process and the tests share it). */
final class OrderStore
{
    public function __construct(private readonly string $dir)
    {
        if (!is_dir($dir) && !mkdir($dir, 0700, true) && !is_dir($dir)) {
            throw new \RuntimeException("cannot make $dir");
        }
    }

    public function get(string $orderId): ?array
    {
        $file = $this->file($orderId);
        return is_file($file) ? json_decode((string)file_get_contents($file), true, 512, JSON_THROW_ON_ERROR) : null;
    }

    public function put(string $orderId, array $order): void
    {
        $file = $this->file($orderId);
        file_put_contents("$file.tmp", json_encode($order, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR));
        rename("$file.tmp", $file);
    }

    private function file(string $orderId): string
    {
        if (preg_match('/^[A-Za-z0-9_-]{1,64}$/', $orderId) !== 1) {
            throw new \InvalidArgumentException("not an order id: $orderId");
        }
        return "{$this->dir}/$orderId.json";
    }
}
