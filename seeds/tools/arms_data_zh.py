"""Chinese rows for arms-transfers seeds: KIND|SPLIT|title|text|note (see arms_build.py)."""

LANG = "zh"
ROWS = """
P|t|美国务院批准对台军售 涉及F-16零部件|美国国务院批准向台湾出售价值约3亿美元的F-16战机零部件及维修服务。中国外交部对此表示坚决反对，并宣布将对相关军工企业采取反制措施。|US arms sale to Taiwan
P|t|中方宣布制裁参与对台军售的美国军工企业|外交部发言人宣布，对参与售台武器的洛克希德·马丁公司等企业采取反制措施。|Sanctions over Taiwan arms sales
P|t|巴基斯坦接收首批歼-10CE战斗机|巴基斯坦空军举行仪式，接收从中国采购的首批歼-10CE多用途战斗机。|J-10CE delivered to Pakistan
P|t|中国翼龙无人机出口中东多国|据报道，翼龙-2无人机已出口至沙特阿拉伯、阿联酋等国，成为中国军贸的重要产品。|Chinese drone exports
P|t|斯德哥尔摩国际和平研究所：全球军火贸易格局变化|SIPRI最新报告显示，过去五年美国武器出口占全球份额超过四成，法国升至第二。|SIPRI report
P|t|朝鲜向俄罗斯输送大量炮弹 韩方称|韩国国家情报院称，朝鲜已通过海路和铁路向俄罗斯运送数百万发炮弹。|DPRK shells to Russia
P|t|伊朗无人机流入俄罗斯 美方公布证据|白宫表示，伊朗向俄罗斯提供了数百架"见证者"无人机，并协助其在本土建厂生产。|Iranian drones to Russia
P|t|泰国潜艇项目因德国发动机出口受阻搁浅|泰国向中国订购的潜艇因德国拒绝出口柴油发动机而推迟交付，双方正商讨替代方案。|German export refusal stalls Thai submarine
P|t|德国同意向乌克兰交付"豹2"坦克|德国政府宣布将向乌克兰提供"豹2"主战坦克，并允许其他国家转交。|German tanks to Ukraine
P|t|印尼签署购买法国"阵风"战机合同|印度尼西亚国防部宣布，已签署采购42架"阵风"战斗机的合同。|Indonesia buys Rafale
P|t|塞尔维亚展示从中国引进的防空导弹系统|塞尔维亚军方首次公开展示从中国采购的红旗-22防空系统。|Chinese SAM to Serbia
P|t|联合国专家：苏丹武器禁运屡遭违反|联合国专家小组报告称，有外国货机向苏丹快速支援部队运送武器和弹药。|Sudan embargo violation
P|t|波兰大规模采购韩国K2坦克和K9自行火炮|波兰与韩国签署军购框架协议，采购数百辆K2坦克和K9自行火炮。|Poland buys Korean arms
P|t|缅甸军政府持续获得外国武器|联合国特别报告员称，政变后缅甸军方从俄罗斯、中国等国进口了价值十亿美元的武器。|Arms flows to Myanmar
P|t|海关查获走私枪支零件|海关在一批从境外寄入的包裹中查获大量枪支零部件，涉嫌走私武器。|Customs seize smuggled gun parts
H|t|加沙停火协议生效 首批人质获释|以色列与哈马斯之间的停火协议正式生效，首批被扣押人员获释。|Ceasefire
H|t|国足前锋转会中超豪门|这名国脚以自由身转会至上海的中超球队，签约三年。|Football transfer
H|t|警方提醒：警惕冒充客服诱导转账|多地出现冒充银行客服诱导市民转账汇款的诈骗案件。|Money transfer scam
H|t|美国一商场发生枪击案 造成多人伤亡|一名枪手在商场内开枪，造成三人死亡。当地议员再次呼吁加强枪支管控。|Shooting, gun control
H|t|朝鲜试射新型洲际弹道导弹|朝鲜中央通讯社报道，朝鲜成功试射了新型固体燃料洲际弹道导弹。|Missile test
H|t|国防预算增长7.2%|财政部公布的预算草案显示，今年中央本级国防支出增长7.2%。|Defence budget
H|t|阅兵式上亮相多型国产新装备|在纪念大会阅兵式上，多型国产主战坦克和无人机首次公开亮相。|Military parade, domestic
H|t|中俄海军举行联合演习|中俄两国海军在日本海举行"海上联合"军事演习。|Military exercise
H|t|稀土出口管制新规出台|商务部宣布对部分稀土加工技术实施出口管制，以维护国家安全。|Export controls on rare earths, not arms
H|t|习近平会见普京 两国贸易额创新高|两国元首就能源、农业合作交换意见，双边贸易额创历史新高。|Summit, trade
N|t|春运首日铁路发送旅客超千万人次|铁路部门加开列车以应对客流高峰。|Travel
N|t|多地迎来强降雨|气象台发布暴雨蓝色预警。|Weather
N|t|新能源汽车销量持续增长|前三季度新能源汽车销量同比增长三成。|EV sales
N|t|故宫推出夜游活动|游客可在夜间参观部分宫殿。|Tourism
N|t|高考报名人数再创新高|今年报名人数超过1300万。|Exams
N|t|央行下调存款准备金率|此举将释放长期资金约一万亿元。|Monetary policy
N|t|国产大飞机新增订单|C919获得多家航空公司订单。|Civil aircraft
P|e|埃及采购中国歼-10C战机|据报道，埃及成为继巴基斯坦之后第二个购买该型战机的国家。|J-10C export to Egypt
P|e|也门海域截获走私武器船|美军在阿拉伯海拦截一艘向胡塞武装运送导弹部件的船只。|Arms smuggling
P|e|孟加拉国接收中国制造护卫舰|两艘护卫舰已抵达吉大港。|Frigates delivered to Bangladesh
P|e|美国宣布对乌新一轮军事援助|新援助包括防空导弹和炮弹。|US aid to Ukraine
H|e|黎以停火协议面临考验|双方互相指责对方违反协议。|Ceasefire
H|e|转账手续费下调|-|Bank transfer fees
H|e|坚持是他最大的武器|这位马拉松选手说，坚持是他最大的武器。|Metaphorical weapon
N|e|北京地铁新线开通|新线全长30公里。|Subway line
"""
