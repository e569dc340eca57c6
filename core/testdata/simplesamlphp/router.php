<?php
// Router for PHP's built-in web server (php -S 127.0.0.1:PORT router.php):
// serves SimpleSAMLphp's www directory under /simplesaml/, as Apache's
// "Alias /simplesaml /usr/share/simplesamlphp/www" does. SimpleSAMLphp
// finds its own URLs from SCRIPT_FILENAME, SCRIPT_NAME and PATH_INFO, which
// the built-in server sets for the router itself, so they are set here for
// the script the request is for. SIMPLESAMLPHP_WWW overrides the www path.

$www = getenv('SIMPLESAMLPHP_WWW') ?: '/usr/share/simplesamlphp/www';
$prefix = '/simplesaml/';
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');

function not_found(string $what): bool
{
    http_response_code(404);
    header('Content-Type: text/plain; charset=utf-8');
    echo "not found: $what\n";
    return true;
}

if ($path === '/simplesaml') {
    header('Location: ' . $prefix, true, 301);
    return true;
}
if (strpos($path, $prefix) !== 0) {
    return not_found($path);
}
$rel = substr($path, strlen($prefix));
if (strpos($rel, '..') !== false || strpos($rel, "\0") !== false) {
    return not_found($path);
}

// /simplesaml/module.php/core/login.php: the script is module.php, the
// rest is PATH_INFO.
$pathInfo = '';
if (preg_match('#^(.*?\.php)(/.*)?$#', $rel, $m)) {
    $script = $m[1];
    $pathInfo = $m[2] ?? '';
} else {
    $script = rtrim($rel, '/');
    if ($script === '' || is_dir("$www/$script")) {
        $script = ltrim("$script/index.php", '/');
    }
}
$file = "$www/$script";
if (!is_file($file)) {
    return not_found($path);
}

if (substr($file, -4) !== '.php') {
    $types = [
        'css' => 'text/css', 'js' => 'text/javascript', 'png' => 'image/png', 'gif' => 'image/gif',
        'svg' => 'image/svg+xml', 'ico' => 'image/x-icon', 'jpg' => 'image/jpeg', 'woff' => 'font/woff',
        'woff2' => 'font/woff2', 'ttf' => 'font/ttf', 'eot' => 'application/vnd.ms-fontobject',
    ];
    $ext = strtolower(pathinfo($file, PATHINFO_EXTENSION));
    header('Content-Type: ' . ($types[$ext] ?? 'application/octet-stream'));
    header('Content-Length: ' . filesize($file));
    readfile($file);
    return true;
}

$_SERVER['SCRIPT_FILENAME'] = $file;
$_SERVER['SCRIPT_NAME'] = $prefix . $script;
$_SERVER['PHP_SELF'] = $prefix . $script . $pathInfo;
if ($pathInfo !== '') {
    $_SERVER['PATH_INFO'] = $pathInfo;
} else {
    unset($_SERVER['PATH_INFO']);
}
chdir(dirname($file));
require $file;
return true;
