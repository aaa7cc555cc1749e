# Sixty independent mistakes: fifty are reported, then MM7004 says the run stopped.
# expect: MM2001 at 58:18
# expect: MM2001 at 59:18
# expect: MM2001 at 60:18
# expect: MM2001 at 61:18
# expect: MM2001 at 62:18
# expect: MM2001 at 63:18
# expect: MM2001 at 64:18
# expect: MM2001 at 65:18
# expect: MM2001 at 66:18
# expect: MM2001 at 67:18
# expect: MM2001 at 68:19
# expect: MM2001 at 69:19
# expect: MM2001 at 70:19
# expect: MM2001 at 71:19
# expect: MM2001 at 72:19
# expect: MM2001 at 73:19
# expect: MM2001 at 74:19
# expect: MM2001 at 75:19
# expect: MM2001 at 76:19
# expect: MM2001 at 77:19
# expect: MM2001 at 78:19
# expect: MM2001 at 79:19
# expect: MM2001 at 80:19
# expect: MM2001 at 81:19
# expect: MM2001 at 82:19
# expect: MM2001 at 83:19
# expect: MM2001 at 84:19
# expect: MM2001 at 85:19
# expect: MM2001 at 86:19
# expect: MM2001 at 87:19
# expect: MM2001 at 88:19
# expect: MM2001 at 89:19
# expect: MM2001 at 90:19
# expect: MM2001 at 91:19
# expect: MM2001 at 92:19
# expect: MM2001 at 93:19
# expect: MM2001 at 94:19
# expect: MM2001 at 95:19
# expect: MM2001 at 96:19
# expect: MM2001 at 97:19
# expect: MM2001 at 98:19
# expect: MM2001 at 99:19
# expect: MM2001 at 100:19
# expect: MM2001 at 101:19
# expect: MM2001 at 102:19
# expect: MM2001 at 103:19
# expect: MM2001 at 104:19
# expect: MM2001 at 105:19
# expect: MM2001 at 106:19
# expect: MM2001 at 107:19
# expect: MM7004 at 107:19
import "lib/layers.mm"

model M {
  input x: [B, 4]
  forward {
    let a0 = x + missing0
    let a1 = x + missing1
    let a2 = x + missing2
    let a3 = x + missing3
    let a4 = x + missing4
    let a5 = x + missing5
    let a6 = x + missing6
    let a7 = x + missing7
    let a8 = x + missing8
    let a9 = x + missing9
    let a10 = x + missing10
    let a11 = x + missing11
    let a12 = x + missing12
    let a13 = x + missing13
    let a14 = x + missing14
    let a15 = x + missing15
    let a16 = x + missing16
    let a17 = x + missing17
    let a18 = x + missing18
    let a19 = x + missing19
    let a20 = x + missing20
    let a21 = x + missing21
    let a22 = x + missing22
    let a23 = x + missing23
    let a24 = x + missing24
    let a25 = x + missing25
    let a26 = x + missing26
    let a27 = x + missing27
    let a28 = x + missing28
    let a29 = x + missing29
    let a30 = x + missing30
    let a31 = x + missing31
    let a32 = x + missing32
    let a33 = x + missing33
    let a34 = x + missing34
    let a35 = x + missing35
    let a36 = x + missing36
    let a37 = x + missing37
    let a38 = x + missing38
    let a39 = x + missing39
    let a40 = x + missing40
    let a41 = x + missing41
    let a42 = x + missing42
    let a43 = x + missing43
    let a44 = x + missing44
    let a45 = x + missing45
    let a46 = x + missing46
    let a47 = x + missing47
    let a48 = x + missing48
    let a49 = x + missing49
    let a50 = x + missing50
    let a51 = x + missing51
    let a52 = x + missing52
    let a53 = x + missing53
    let a54 = x + missing54
    let a55 = x + missing55
    let a56 = x + missing56
    let a57 = x + missing57
    let a58 = x + missing58
    let a59 = x + missing59
    output y: [B, 4] = x
  }
}
