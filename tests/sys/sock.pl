#!/usr/bin/perl
# tests/sys/sock.pl: small socket actions for the system tests, one per
# call, printing what happened on one line (an errno text on failure).
#
#   listen ADDR PORT [REPLY]   bind, print the bound address, answer one
#                              client with REPLY (default "hello") and
#                              the client's address
#   bind ADDR PORT             bind only: the bound address or the error
#   autolisten                 listen() without bind (the kernel picks a
#                              port on the wildcard): print the port,
#                              answer one client
#   connect ADDR PORT          connect: "LOCALADDR REPLY" or the error
#   udprecv ADDR PORT          print the source address of one datagram
#   udpsend ADDR PORT          send one datagram (unbound socket)
#   socket FAMILY TYPE PROTO   socket(2) only: "ok" or the error
#   abstract-listen NAME       abstract unix listener, answers one client
#   abstract-connect NAME      connect to it: its reply or the error
#   abstract-self NAME         listen and connect in one process
#   mark VALUE                 setsockopt(SO_MARK): "ok" or the error
#   bpf-detach CGROUP TYPE     bpf(BPF_PROG_DETACH) of attach type TYPE
#                              from the cgroup directory: "detached" or
#                              the error
use strict;
use warnings;
use IO::Socket::IP;
use Socket qw(:all);

$SIG{ALRM} = sub { print "timeout\n"; exit 3 };
alarm 60;	# long enough for a loaded machine; the tests end it
$| = 1;
my ($op, @a) = @ARGV;

sub out { print "@_\n"; exit 0 }
sub fail { print "$!\n"; exit 1 }
sub host { my $h = shift; $h =~ s/^::ffff://; $h }

if ($op eq 'listen' || $op eq 'bind') {
	my $s = IO::Socket::IP->new(LocalHost => $a[0], LocalPort => $a[1],
	    Listen => 5, ReuseAddr => 1, V6Only => 1) or fail;
	out $s->sockhost if $op eq 'bind';
	print $s->sockhost, "\n";
	my $c = $s->accept or fail;
	print $c ($a[2] // 'hello'), ' ', host($c->peerhost), "\n";
	exit 0;
}
if ($op eq 'autolisten') {
	socket(my $s, AF_INET, SOCK_STREAM, 0) or fail;
	listen($s, 5) or fail;
	my ($port) = unpack_sockaddr_in(getsockname($s));
	print "$port\n";
	accept(my $c, $s) or fail;
	print $c "hello\n";
	exit 0;
}
if ($op eq 'connect') {
	my $c = IO::Socket::IP->new(PeerHost => $a[0], PeerPort => $a[1],
	    Timeout => 3) or fail;
	my $line = <$c> // '';
	chomp $line;
	out host($c->sockhost), $line;
}
if ($op eq 'udprecv') {
	my $s = IO::Socket::IP->new(LocalHost => $a[0], LocalPort => $a[1],
	    Proto => 'udp') or fail;
	print "ready\n";
	$s->recv(my $buf, 100) // fail;
	out host($s->peerhost);
}
if ($op eq 'udpsend') {
	my $fam = $a[0] =~ /:/ ? AF_INET6 : AF_INET;
	socket(my $s, $fam, SOCK_DGRAM, 0) or fail;
	my ($err, @res) = getaddrinfo($a[0], $a[1], { socktype => SOCK_DGRAM });
	die $err if $err;
	send($s, "x", 0, $res[0]{addr}) or fail;
	out 'sent';
}
if ($op eq 'socket') {
	my %c = (inet => AF_INET, inet6 => AF_INET6, packet => 17, stream => SOCK_STREAM,
	    dgram => SOCK_DGRAM, raw => SOCK_RAW, icmp => 1, icmp6 => 58,
	    tcp => 6, udp => 17, 0 => 0);
	socket(my $s, $c{$a[0]}, $c{$a[1]}, $c{$a[2]}) or fail;
	out 'ok';
}
if ($op =~ /^abstract-(listen|self)$/) {
	socket(my $s, AF_UNIX, SOCK_STREAM, 0) or fail;
	bind($s, pack_sockaddr_un("\0$a[0]")) or fail;
	listen($s, 5) or fail;
	if ($op eq 'abstract-self') {
		socket(my $c, AF_UNIX, SOCK_STREAM, 0) or fail;
		connect($c, pack_sockaddr_un("\0$a[0]")) or fail;
		out 'ok';
	}
	print "ready\n";
	accept(my $c, $s) or fail;
	print $c "hello\n";
	exit 0;
}
if ($op eq 'abstract-connect') {
	socket(my $c, AF_UNIX, SOCK_STREAM, 0) or fail;
	connect($c, pack_sockaddr_un("\0$a[0]")) or fail;
	my $line = <$c> // '';
	chomp $line;
	out $line;
}
if ($op eq 'mark') {
	socket(my $s, AF_INET, SOCK_STREAM, 0) or fail;
	setsockopt($s, SOL_SOCKET, 36, pack('L', $a[0])) or fail;	# SO_MARK
	out 'ok';
}
if ($op eq 'bpf-detach') {
	use Fcntl;
	sysopen(my $d, $a[0], O_RDONLY | O_DIRECTORY) or fail;
	# union bpf_attr: target_fd, attach_bpf_fd, attach_type, attach_flags
	my $attr = pack('LLLL', fileno($d), 0, $a[1], 0) . ("\0" x 112);
	syscall(321, 9, $attr, length $attr) == 0 or fail;	# SYS_bpf, DETACH
	out 'detached';
}
die "sock.pl: unknown operation $op\n";
